package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LayerNorm GPT-2 block ({@code transformer.h.N}), as HF's {@code GPT2Block}:
 * {@code h = x + attn(ln_1(x))}, {@code out = h + mlp(ln_2(h))}, LayerNorms with
 * {@code layer_norm_epsilon}.
 *
 * <p>Inputs and outputs: hidden {@code (batch, q, n_embd)} and the additive mask, passed through
 * unchanged so blocks chain in a {@link ModuleList}.
 */
public final class Gpt2Block extends ModuleBlock {

    /**
     * @param config the decoder's configuration
     * @param layerIndex this block's index {@code N}, &gt;= 0
     */
    public Gpt2Block(Gpt2Config config, int layerIndex) {
        float eps = (float) config.layerNormEpsilon();
        addChild("ln_1", new LayerNorm(config.nEmbd(), eps));
        addChild("attn", new Gpt2Attention(config, layerIndex));
        addChild("ln_2", new LayerNorm(config.nEmbd(), eps));
        addChild("mlp", new Gpt2Mlp(config));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray normed = child("ln_1").forward(store, new NDList(x), training, params).head();
        NDArray h = x.add(child("attn").forward(store, new NDList(normed, inputs.get(1)), training, params).head());
        NDArray normed2 = child("ln_2").forward(store, new NDList(h), training, params).head();
        NDArray out = h.add(child("mlp").forward(store, new NDList(normed2), training, params).head());
        return new NDList(out, inputs.get(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
