package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * GPT-2's causal self-attention ({@code transformer.h.N.attn}), as HF's {@code GPT2Attention}:
 * children {@code c_attn} (a {@link Conv1D} {@code (n_embd, 3 n_embd)} giving query, key and value
 * side by side), {@code c_proj} ({@link Conv1D} {@code (n_embd, n_embd)}), {@code attn_dropout}
 * ({@code attn_pdrop}) and {@code resid_dropout} ({@code resid_pdrop}); scores divided by
 * {@code sqrt(head_dim)}.
 *
 * <p>Inputs: hidden {@code (batch, q, n_embd)} and the additive mask {@code (batch, 1, q, keys)}
 * of {@link DecoderMask}. Output: {@code (batch, q, n_embd)}. A {@link KeyValueCache} or
 * {@link KeyValuePrefix} ({@code n_head} heads) in the forward {@code params} extends the keys and
 * values ({@link DecoderAttention}).
 */
public final class Gpt2Attention extends ModuleBlock {

    private final int heads;
    private final DecoderAttention core;

    /**
     * @param config the decoder's configuration
     * @param layerIndex this block's index {@code N}, &gt;= 0
     * @throws IllegalArgumentException if {@code layerIndex < 0}
     */
    public Gpt2Attention(Gpt2Config config, int layerIndex) {
        heads = config.nHead();
        core = new DecoderAttention(layerIndex, heads, heads, config.headDim());
        addChild("c_attn", new Conv1D(config.nEmbd(), 3 * config.nEmbd()));
        addChild("c_proj", new Conv1D(config.nEmbd(), config.nEmbd()));
        addChild("attn_dropout", new Dropout(config.attnPdrop()));
        addChild("resid_dropout", new Dropout(config.residPdrop()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray fused = child("c_attn").forward(store, new NDList(hidden), training, params).head();
        NDList parts = fused.split(3, 2);
        NDArray query = core.splitHeads(parts.get(0), heads);
        NDArray key = core.splitHeads(parts.get(1), heads);
        NDArray value = core.splitHeads(parts.get(2), heads);
        NDArray context = core.attend(query, key, value, mask, child("attn_dropout"), store, training, params);
        NDList projected = child("c_proj").forward(store, new NDList(context), training, params);
        return child("resid_dropout").forward(store, projected, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
