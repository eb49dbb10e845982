package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-norm Llama layer ({@code model.layers.N}), as HF's {@code LlamaDecoderLayer}:
 * {@code h = x + self_attn(input_layernorm(x))}, {@code out = h + mlp(post_attention_layernorm(h))}.
 *
 * <p>Inputs and outputs: hidden {@code (batch, q, hidden)}, the additive mask, {@code cos} and
 * {@code sin} (see {@link LlamaAttention}); all but the hidden state pass through unchanged so
 * layers chain in a {@link ModuleList}.
 */
public final class LlamaDecoderLayer extends ModuleBlock {

    /**
     * @param config the decoder's configuration
     * @param layerIndex this layer's index {@code N}, &gt;= 0
     */
    public LlamaDecoderLayer(LlamaConfig config, int layerIndex) {
        addChild("input_layernorm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        addChild("self_attn", new LlamaAttention(config, layerIndex));
        addChild("post_attention_layernorm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        addChild("mlp", new LlamaMlp(config));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray normed = child("input_layernorm").forward(store, new NDList(x), training, params).head();
        NDList attentionInputs = new NDList(normed, inputs.get(1), inputs.get(2), inputs.get(3));
        NDArray h = x.add(child("self_attn").forward(store, attentionInputs, training, params).head());
        NDArray normed2 = child("post_attention_layernorm").forward(store, new NDList(h), training, params).head();
        NDArray out = h.add(child("mlp").forward(store, new NDList(normed2), training, params).head());
        return new NDList(out, inputs.get(1), inputs.get(2), inputs.get(3));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
