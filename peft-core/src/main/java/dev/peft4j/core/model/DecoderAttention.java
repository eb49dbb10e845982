package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The scaled dot-product core shared by the decoder attentions ({@link LlamaAttention},
 * {@link Gpt2Attention}): Vaswani et al. 2017 eq. 1 with grouped-query attention (Ainslie et al.
 * 2023; each key/value head serves {@code heads / kv_heads} consecutive query heads, HF's
 * {@code repeat_kv}), the {@link KeyValueCache} and prefix tuning's {@link KeyValuePrefix}.
 *
 * <p>Keys and values, in order: the prefix of this layer ({@code P} positions, from the forward
 * {@code params}, prepended on every call as HF PEFT's {@code past_key_values}), the cached past
 * (when a cache is in the {@code params}, which this call extends by the new keys and values),
 * then the new ones. The additive mask from {@link DecoderMask} covers exactly these columns.
 */
final class DecoderAttention {

    private final int layerIndex;
    private final int heads;
    private final int kvHeads;
    private final int headDim;

    /**
     * @param layerIndex the layer, which selects the cache and prefix entries
     * @param heads query heads
     * @param kvHeads key/value heads, dividing {@code heads}
     * @param headDim the width of one head
     */
    DecoderAttention(int layerIndex, int heads, int kvHeads, int headDim) {
        if (layerIndex < 0) {
            throw new IllegalArgumentException("layer index must be >= 0, got " + layerIndex);
        }
        this.layerIndex = layerIndex;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
    }

    /**
     * @param query {@code (batch, heads, q, head_dim)}
     * @param key {@code (batch, kv_heads, q, head_dim)}
     * @param value shaped as {@code key}
     * @param mask {@code (batch, 1, q, P + past + q)}
     * @param dropout the attention-probability dropout
     * @param store the forward pass's parameter store
     * @param training whether dropout is active
     * @param params the forward {@code params}: cache, prefix, dropout seed
     * @return the context {@code (batch, q, heads * head_dim)}
     * @throws IllegalArgumentException if the prefix is not {@code (batch, kv_heads, P, head_dim)}
     */
    NDArray attend(NDArray query, NDArray key, NDArray value, NDArray mask, Block dropout, ParameterStore store,
            boolean training, PairList<String, Object> params) {
        KeyValueCache cache = KeyValueCache.from(params);
        if (cache != null) {
            NDList full = cache.append(layerIndex, key, value);
            key = full.get(0);
            value = full.get(1);
        }
        KeyValuePrefix prefix = KeyValuePrefix.from(params);
        if (prefix != null && prefix.length() > 0) {
            key = prepend("key", prefix.key(layerIndex), key);
            value = prepend("value", prefix.value(layerIndex), value);
        }
        key = repeatKeyValueHeads(key);
        value = repeatKeyValueHeads(value);
        NDArray scores = ScalarOps.div(query.matMul(key.transpose(0, 1, 3, 2)), Math.sqrt(headDim)).add(mask);
        NDArray probabilities = scores.softmax(-1);
        probabilities = dropout.forward(store, new NDList(probabilities), training, params).head();
        return mergeHeads(probabilities.matMul(value));
    }

    /** {@code (batch, kv_heads, t, d) -> (batch, heads, t, d)}, each key/value head repeated for its group. */
    private NDArray repeatKeyValueHeads(NDArray x) {
        if (kvHeads == heads) {
            return x;
        }
        Shape shape = x.getShape();
        long groups = heads / kvHeads;
        return x.expandDims(2).broadcast(new Shape(shape.get(0), kvHeads, groups, shape.get(2), shape.get(3)))
                .reshape(shape.get(0), heads, shape.get(2), shape.get(3));
    }

    private NDArray prepend(String kind, NDArray prefix, NDArray own) {
        Shape shape = prefix.getShape();
        Shape ownShape = own.getShape();
        if (shape.dimension() != 4 || shape.get(0) != ownShape.get(0) || shape.get(1) != kvHeads || shape.get(3) != headDim) {
            throw new IllegalArgumentException("key_value_prefix " + kind + " of layer " + layerIndex + " has shape " + shape
                    + ", expected (" + ownShape.get(0) + ", " + kvHeads + ", prefix_len, " + headDim + ")"
                    + " (num_key_value_heads, head_dim)");
        }
        return prefix.concat(own, 2);
    }

    /**
     * @param x {@code (batch, seq, n * head_dim)}
     * @param n the heads in {@code x}
     * @return {@code (batch, n, seq, head_dim)}
     */
    NDArray splitHeads(NDArray x, int n) {
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), shape.get(1), n, headDim).transpose(0, 2, 1, 3);
    }

    /** {@code (batch, heads, seq, head_dim) -> (batch, seq, heads * head_dim)}. */
    private NDArray mergeHeads(NDArray x) {
        Shape shape = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(shape.get(0), shape.get(2), (long) heads * headDim);
    }
}
