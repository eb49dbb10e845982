package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Llama's causal self-attention ({@code model.layers.N.self_attn}), as HF's {@code LlamaAttention}:
 * children {@code q_proj (hidden -> heads * head_dim)}, {@code k_proj} and {@code v_proj}
 * ({@code hidden -> kv_heads * head_dim}), {@code o_proj (heads * head_dim -> hidden)}, each a
 * replaceable {@link Linear} with a bias iff {@code attention_bias}; rotary embeddings on queries
 * and keys ({@link RotaryEmbedding}), grouped-query attention, scores divided by
 * {@code sqrt(head_dim)}, attention-probability dropout {@code attention_dropout}.
 *
 * <p>Inputs: hidden {@code (batch, q, hidden)}, the additive mask {@code (batch, 1, q, keys)} of
 * {@link DecoderMask}, {@code cos} and {@code sin} {@code (batch, 1, q, head_dim)}. Output:
 * {@code (batch, q, hidden)}. A {@link KeyValueCache} or {@link KeyValuePrefix} in the forward
 * {@code params} extends the keys and values ({@link DecoderAttention}).
 */
public final class LlamaAttention extends ModuleBlock {

    private final int heads;
    private final int kvHeads;
    private final DecoderAttention core;

    /**
     * @param config the decoder's configuration
     * @param layerIndex this layer's index {@code N}, &gt;= 0
     * @throws IllegalArgumentException if {@code layerIndex < 0}
     */
    public LlamaAttention(LlamaConfig config, int layerIndex) {
        heads = config.numAttentionHeads();
        kvHeads = config.numKeyValueHeads();
        core = new DecoderAttention(layerIndex, heads, kvHeads, config.headDim());
        int hidden = config.hiddenSize();
        int headDim = config.headDim();
        boolean bias = config.attentionBias();
        addChild("q_proj", new Linear(hidden, heads * headDim, bias));
        addChild("k_proj", new Linear(hidden, kvHeads * headDim, bias));
        addChild("v_proj", new Linear(hidden, kvHeads * headDim, bias));
        addChild("o_proj", new Linear(heads * headDim, hidden, bias));
        addChild("attention_dropout", new Dropout(config.attentionDropout()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray cos = inputs.get(2);
        NDArray sin = inputs.get(3);
        NDArray query = RotaryEmbedding.apply(core.splitHeads(project("q_proj", hidden, store, training, params), heads), cos, sin);
        NDArray key = RotaryEmbedding.apply(core.splitHeads(project("k_proj", hidden, store, training, params), kvHeads), cos, sin);
        NDArray value = core.splitHeads(project("v_proj", hidden, store, training, params), kvHeads);
        NDArray context = core.attend(query, key, value, mask, child("attention_dropout"), store, training, params);
        return child("o_proj").forward(store, new NDList(context), training, params);
    }

    private NDArray project(String name, NDArray hidden, ParameterStore store, boolean training, PairList<String, Object> params) {
        return child(name).forward(store, new NDList(hidden), training, params).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
