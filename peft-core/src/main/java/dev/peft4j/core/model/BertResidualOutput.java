package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The post-LayerNorm residual output of a BERT sub-layer, HF's {@code BertSelfOutput}
 * ({@code attention.output}) and {@code BertOutput} ({@code output}):
 * {@code LayerNorm(dropout(dense(x)) + residual)}. Children {@code dense}, {@code LayerNorm},
 * {@code dropout}.
 *
 * <p>Inputs: {@code x (batch, seq, in)} and {@code residual (batch, seq, hidden)}. Output
 * {@code (batch, seq, hidden)}.
 */
public final class BertResidualOutput extends ModuleBlock {

    /**
     * @param config the encoder's configuration
     * @param inFeatures the width of {@code x}: hidden size after attention, intermediate size
     *     after the feed-forward block
     */
    public BertResidualOutput(BertConfig config, int inFeatures) {
        addChild("dense", new Linear(inFeatures, config.hiddenSize(), true));
        addChild("LayerNorm", new LayerNorm(config.hiddenSize(), (float) config.layerNormEps()));
        addChild("dropout", new Dropout(config.hiddenDropoutProb()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList projected = child("dense").forward(store, new NDList(inputs.get(0)), training, params);
        NDList dropped = child("dropout").forward(store, projected, training, params);
        return child("LayerNorm").forward(store, new NDList(dropped.head().add(inputs.get(1))), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[1]};
    }
}
