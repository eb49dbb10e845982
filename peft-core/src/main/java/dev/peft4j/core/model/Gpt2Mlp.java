package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * GPT-2's feed-forward block ({@code transformer.h.N.mlp}), as HF's {@code GPT2MLP}:
 * {@code dropout(c_proj(gelu_new(c_fc(x))))} with {@code c_fc} a {@link Conv1D}
 * {@code (n_embd, n_inner)}, {@code c_proj} a {@link Conv1D} {@code (n_inner, n_embd)} and
 * {@code dropout} at {@code resid_pdrop}. Input and output {@code (batch, seq, n_embd)}.
 */
public final class Gpt2Mlp extends ModuleBlock {

    /** @param config the decoder's configuration */
    public Gpt2Mlp(Gpt2Config config) {
        addChild("c_fc", new Conv1D(config.nEmbd(), config.nInner()));
        addChild("c_proj", new Conv1D(config.nInner(), config.nEmbd()));
        addChild("dropout", new Dropout(config.residPdrop()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray expanded = child("c_fc").forward(store, inputs, training, params).head();
        NDList projected = child("c_proj").forward(store, new NDList(GeluNew.apply(expanded)), training, params);
        return child("dropout").forward(store, projected, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
