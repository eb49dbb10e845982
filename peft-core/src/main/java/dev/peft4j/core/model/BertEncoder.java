package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The stack of transformer layers ({@code encoder}, child {@code layer} = a {@link ModuleList} of
 * {@link BertLayer}s). Inputs: hidden {@code (batch, seq, hidden)} and the additive mask
 * {@code (batch, 1, 1, seq)}; output: the last hidden state {@code (batch, seq, hidden)}.
 */
public final class BertEncoder extends ModuleBlock {

    /** @param config the encoder's configuration */
    public BertEncoder(BertConfig config) {
        List<BertLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new BertLayer(config, i));
        }
        addChild("layer", new ModuleList(layers));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(child("layer").forward(store, inputs, training, params).head());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
