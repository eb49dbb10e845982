package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The expanding half of BERT's feed-forward block ({@code intermediate}): {@code gelu(dense(x))}
 * with exact (erf) GELU, as HF's {@code BertIntermediate}. Input {@code (batch, seq, hidden)},
 * output {@code (batch, seq, intermediate)}.
 */
public final class BertIntermediate extends ModuleBlock {

    private final int intermediateSize;

    /** @param config the encoder's configuration */
    public BertIntermediate(BertConfig config) {
        intermediateSize = config.intermediateSize();
        addChild("dense", new Linear(config.hiddenSize(), intermediateSize, true));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList projected = child("dense").forward(store, new NDList(inputs.get(0)), training, params);
        return new NDList(Activation.gelu(projected.head()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(intermediateSize)};
    }
}
