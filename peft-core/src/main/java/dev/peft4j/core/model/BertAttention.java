package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BERT's attention sub-layer ({@code attention}): {@code self} then the residual {@code output},
 * as HF's {@code BertAttention}. Inputs: hidden {@code (batch, seq, hidden)} and the additive mask
 * {@code (batch, 1, 1, seq)}; output {@code (batch, seq, hidden)}.
 */
public final class BertAttention extends ModuleBlock {

    /**
     * @param config the encoder's configuration
     * @param layerIndex the index of the layer this attention belongs to, &gt;= 0
     */
    public BertAttention(BertConfig config, int layerIndex) {
        addChild("self", new BertSelfAttention(config, layerIndex));
        addChild("output", new BertResidualOutput(config, config.hiddenSize()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList context = child("self").forward(store, inputs, training, params);
        return child("output").forward(store, new NDList(context.head(), inputs.get(0)), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
