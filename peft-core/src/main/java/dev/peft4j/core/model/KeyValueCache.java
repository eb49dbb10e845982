package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * The keys and values a decoder computed for the tokens it has already seen, HF transformers'
 * {@code past_key_values} ({@code DynamicCache}), so generation feeds only the new tokens
 * ({@link TransformerModel#forward(NDList, KeyValueCache)}).
 *
 * <p>Per layer it holds the keys and values {@code (batch, num_key_value_heads, past, head_dim)}
 * fp32 (Llama's keys already rotated; before grouped-query repetition; without prefix tuning's
 * virtual keys, which the attention prepends on every call), and the attention mask of those past
 * tokens {@code (batch, past)} int64 (1 real, 0 padding; prompt tuning's virtual tokens count as
 * real). A forward call appends to it: every layer its new keys and values, the model the new
 * tokens' mask.
 *
 * <p>Mutable and not thread-safe: one cache per generated batch. Its arrays live in its own
 * manager (a child of the one given), so the caller may close each step's temporaries;
 * {@link #close()} frees them. It travels to the attention layers in the forward {@code params}
 * under {@link #PARAM}.
 */
public final class KeyValueCache implements AutoCloseable {

    /** The key of this cache in DJL's forward {@code params}. */
    public static final String PARAM = "peft4j.key_value_cache";

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray attentionMask;

    /**
     * An empty cache.
     *
     * @param numLayers the decoder's layers, &gt; 0
     * @param parent the manager under which the cache's own manager is created
     * @throws IllegalArgumentException if {@code numLayers <= 0}
     */
    public KeyValueCache(int numLayers, NDManager parent) {
        if (numLayers <= 0) {
            throw new IllegalArgumentException("a key/value cache needs numLayers > 0, got " + numLayers);
        }
        this.manager = Objects.requireNonNull(parent, "parent").newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** @return the number of layers */
    public int numLayers() {
        return keys.length;
    }

    /** @return the number of past positions held, 0 when empty */
    public int length() {
        return attentionMask == null ? 0 : Math.toIntExact(attentionMask.getShape().get(1));
    }

    /** @return whether no call has been cached yet */
    public boolean isEmpty() {
        return attentionMask == null;
    }

    /** @return the batch size of the cached calls, or -1 when empty */
    public long batchSize() {
        return attentionMask == null ? -1 : attentionMask.getShape().get(0);
    }

    /** @return the past tokens' mask {@code (batch, past)} int64, or {@code null} when empty */
    public NDArray attentionMask() {
        return attentionMask;
    }

    /**
     * @param layer the layer index
     * @return its past keys {@code (batch, kv_heads, past, head_dim)}, or {@code null} when empty
     */
    public NDArray keys(int layer) {
        return keys[checkLayer(layer)];
    }

    /**
     * @param layer the layer index
     * @return its past values {@code (batch, kv_heads, past, head_dim)}, or {@code null} when empty
     */
    public NDArray values(int layer) {
        return values[checkLayer(layer)];
    }

    /**
     * Appends one layer's new keys and values (called by the attention layers during a forward pass).
     *
     * @param layer the layer index
     * @param key the new keys {@code (batch, kv_heads, new, head_dim)}
     * @param value the new values, shaped as {@code key}
     * @return the past and new keys and values, {@code (batch, kv_heads, past + new, head_dim)} each
     * @throws IllegalArgumentException if the shapes do not continue the cached ones
     */
    public NDList append(int layer, NDArray key, NDArray value) {
        checkLayer(layer);
        NDArray pastKey = keys[layer];
        NDArray pastValue = values[layer];
        if (pastKey != null) {
            Shape past = pastKey.getShape();
            Shape now = key.getShape();
            if (past.get(0) != now.get(0) || past.get(1) != now.get(1) || past.get(3) != now.get(3)) {
                throw new IllegalArgumentException("layer " + layer + " keys " + now + " do not continue the cached " + past);
            }
        }
        NDArray fullKey = pastKey == null ? key.duplicate() : pastKey.concat(key, 2);
        NDArray fullValue = pastValue == null ? value.duplicate() : pastValue.concat(value, 2);
        fullKey.attach(manager);
        fullValue.attach(manager);
        if (pastKey != null) {
            pastKey.close();
            pastValue.close();
        }
        keys[layer] = fullKey;
        values[layer] = fullValue;
        return new NDList(fullKey, fullValue);
    }

    /**
     * Appends the new tokens' mask (called by the model after its layers).
     *
     * @param mask {@code (batch, new)} int64
     * @throws IllegalArgumentException if the batch differs from the cached one
     */
    public void appendMask(NDArray mask) {
        if (attentionMask != null && attentionMask.getShape().get(0) != mask.getShape().get(0)) {
            throw new IllegalArgumentException("attention_mask batch " + mask.getShape().get(0) + " differs from the cached batch "
                    + attentionMask.getShape().get(0));
        }
        NDArray full = attentionMask == null ? mask.duplicate() : attentionMask.concat(mask, 1);
        full.attach(manager);
        if (attentionMask != null) {
            attentionMask.close();
        }
        attentionMask = full;
    }

    /** @return forward {@code params} holding only this cache */
    public PairList<String, Object> toParams() {
        PairList<String, Object> params = new PairList<>();
        params.add(PARAM, this);
        return params;
    }

    /**
     * @param params a forward pass's {@code params}, possibly {@code null}
     * @return the cache they carry, or {@code null} if none
     */
    public static KeyValueCache from(PairList<String, Object> params) {
        if (params == null) {
            return null;
        }
        return params.get(PARAM) instanceof KeyValueCache cache ? cache : null;
    }

    private int checkLayer(int layer) {
        if (layer < 0 || layer >= keys.length) {
            throw new IllegalArgumentException("the cache covers layers 0.." + (keys.length - 1) + ", not layer " + layer);
        }
        return layer;
    }

    /** Frees the cached arrays. */
    @Override
    public void close() {
        manager.close();
    }
}
