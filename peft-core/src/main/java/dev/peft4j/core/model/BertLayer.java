package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One post-LayerNorm transformer layer ({@code encoder.layer.N}): {@code attention},
 * {@code intermediate}, {@code output}, as HF's {@code BertLayer}.
 *
 * <p>Inputs and outputs: hidden {@code (batch, seq, hidden)} and the additive mask
 * {@code (batch, 1, 1, seq)}, passed through unchanged so layers chain in a {@link ModuleList}.
 */
public final class BertLayer extends ModuleBlock {

    /**
     * @param config the encoder's configuration
     * @param layerIndex this layer's index {@code N} in {@code encoder.layer.N}, &gt;= 0
     */
    public BertLayer(BertConfig config, int layerIndex) {
        addChild("attention", new BertAttention(config, layerIndex));
        addChild("intermediate", new BertIntermediate(config));
        addChild("output", new BertResidualOutput(config, config.intermediateSize()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray mask = inputs.get(1);
        NDArray attended = child("attention").forward(store, inputs, training, params).head();
        NDList expanded = child("intermediate").forward(store, new NDList(attended), training, params);
        NDArray out = child("output").forward(store, new NDList(expanded.head(), attended), training, params).head();
        return new NDList(out, mask);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
