package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product self-attention ({@code attention.self}), Vaswani et al. 2017
 * eq. 1, as HF's {@code BertSelfAttention}: children {@code query}, {@code key}, {@code value}
 * (each a replaceable {@code (hidden, hidden)} projection) and attention-probability dropout.
 *
 * <p>Inputs: hidden states {@code (batch, seq, hidden)} and the additive mask
 * {@code (batch, 1, 1, seq)} (0 for real tokens, a large negative value for padding). Output: the
 * context {@code (batch, seq, hidden)}; scores are divided by {@code sqrt(head_size)}.
 */
public final class BertSelfAttention extends ModuleBlock {

    private final int heads;
    private final int headSize;

    /** @param config the encoder's configuration */
    public BertSelfAttention(BertConfig config) {
        heads = config.numAttentionHeads();
        headSize = config.headSize();
        int hidden = config.hiddenSize();
        addChild("query", new Linear(hidden, hidden, true));
        addChild("key", new Linear(hidden, hidden, true));
        addChild("value", new Linear(hidden, hidden, true));
        addChild("dropout", new Dropout(config.attentionProbsDropoutProb()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray query = splitHeads(project("query", hidden, store, training, params));
        NDArray key = splitHeads(project("key", hidden, store, training, params));
        NDArray value = splitHeads(project("value", hidden, store, training, params));
        // The divisor is an array of the batch's manager, alive until after backward: DJL's
        // div(Number) frees its scalar at once, yet the backward pass reads it (use after free).
        NDArray sqrtHeadSize = hidden.getManager().create((float) Math.sqrt(headSize));
        NDArray scores = query.matMul(key.transpose(0, 1, 3, 2)).div(sqrtHeadSize).add(mask);
        NDArray probabilities = scores.softmax(-1);
        probabilities = child("dropout").forward(store, new NDList(probabilities), training, params).head();
        NDArray context = probabilities.matMul(value);
        return new NDList(mergeHeads(context));
    }

    private NDArray project(String name, NDArray hidden, ParameterStore store, boolean training, PairList<String, Object> params) {
        return child(name).forward(store, new NDList(hidden), training, params).head();
    }

    /** {@code (batch, seq, hidden) -> (batch, heads, seq, head_size)}. */
    private NDArray splitHeads(NDArray x) {
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), shape.get(1), heads, headSize).transpose(0, 2, 1, 3);
    }

    /** {@code (batch, heads, seq, head_size) -> (batch, seq, hidden)}. */
    private NDArray mergeHeads(NDArray x) {
        Shape shape = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(shape.get(0), shape.get(2), (long) heads * headSize);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
