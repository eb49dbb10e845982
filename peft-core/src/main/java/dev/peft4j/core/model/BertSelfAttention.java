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
 *
 * <p>Prefix tuning: when the forward {@code params} carry a {@link KeyValuePrefix} of length
 * {@code P > 0}, its key and value for this block's layer index, each
 * {@code (batch, heads, P, head_size)}, are prepended to the keys and values computed from the
 * hidden states (HF's {@code torch.cat([past_key_value[0], key_layer], dim=2)}), and the mask is
 * extended with {@code P} zeros in front: every token attends to the prefix. Without a prefix (or
 * with {@code P = 0}) the computation is unchanged.
 */
public final class BertSelfAttention extends ModuleBlock {

    private final int heads;
    private final int headSize;
    private final int layerIndex;

    /**
     * @param config the encoder's configuration
     * @param layerIndex the index of the layer this attention belongs to, which selects its
     *     {@link KeyValuePrefix} entry; &gt;= 0
     * @throws IllegalArgumentException if {@code layerIndex < 0}
     */
    public BertSelfAttention(BertConfig config, int layerIndex) {
        if (layerIndex < 0) {
            throw new IllegalArgumentException("layer index must be >= 0, got " + layerIndex);
        }
        heads = config.numAttentionHeads();
        headSize = config.headSize();
        this.layerIndex = layerIndex;
        int hidden = config.hiddenSize();
        addChild("query", new Linear(hidden, hidden, true));
        addChild("key", new Linear(hidden, hidden, true));
        addChild("value", new Linear(hidden, hidden, true));
        addChild("dropout", new Dropout(config.attentionProbsDropoutProb()));
    }

    /** @return the index of the layer this attention belongs to */
    public int layerIndex() {
        return layerIndex;
    }

    /**
     * @throws IllegalArgumentException if a {@link KeyValuePrefix} in {@code params} does not
     *     cover this layer or its tensors are not {@code (batch, heads, P, head_size)}
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray query = splitHeads(project("query", hidden, store, training, params));
        NDArray key = splitHeads(project("key", hidden, store, training, params));
        NDArray value = splitHeads(project("value", hidden, store, training, params));
        KeyValuePrefix prefix = KeyValuePrefix.from(params);
        if (prefix != null && prefix.length() > 0) {
            key = prepend("key", prefix.key(layerIndex), key);
            value = prepend("value", prefix.value(layerIndex), value);
            Shape maskShape = mask.getShape();
            NDArray visible = mask.getManager().zeros(
                    new Shape(maskShape.get(0), maskShape.get(1), maskShape.get(2), prefix.length()), mask.getDataType());
            mask = visible.concat(mask, 3);
        }
        NDArray scores = ScalarOps.div(query.matMul(key.transpose(0, 1, 3, 2)), Math.sqrt(headSize)).add(mask);
        NDArray probabilities = scores.softmax(-1);
        probabilities = child("dropout").forward(store, new NDList(probabilities), training, params).head();
        NDArray context = probabilities.matMul(value);
        return new NDList(mergeHeads(context));
    }

    /** Prepends a {@code (batch, heads, P, head_size)} prefix along the sequence axis. */
    private NDArray prepend(String kind, NDArray prefix, NDArray own) {
        Shape shape = prefix.getShape();
        Shape ownShape = own.getShape();
        if (shape.dimension() != 4 || shape.get(0) != ownShape.get(0) || shape.get(1) != heads || shape.get(3) != headSize) {
            throw new IllegalArgumentException("key_value_prefix " + kind + " of layer " + layerIndex + " has shape " + shape
                    + ", expected (" + ownShape.get(0) + ", " + heads + ", prefix_len, " + headSize + ")");
        }
        return prefix.concat(own, 2);
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
