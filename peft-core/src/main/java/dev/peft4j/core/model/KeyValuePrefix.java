package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;
import java.util.List;

/**
 * Per-layer key and value prefixes for one forward pass: prefix tuning's trained activations
 * (Li and Liang 2021, "Prefix-Tuning: Optimizing Continuous Prompts for Generation", section 4.2),
 * HF transformers' {@code past_key_values} for an encoder.
 *
 * <p>It travels in the forward {@code params} under {@link #PARAM}, as {@link DropoutSeed} does;
 * a {@link PromptEncoder} attached to the model puts it there. Then, as HF's {@code BertModel}
 * given {@code past_key_values} and PEFT's prefix-extended attention mask:
 * <ul>
 *   <li>{@link BertSelfAttention} of layer {@code i} prepends {@link #key(int) key(i)} and
 *       {@link #value(int) value(i)} to its own keys and values before the scores, and extends the
 *       additive mask with zeros for the {@code P} prefix positions: every token attends to the
 *       prefix, padding stays masked;</li>
 *   <li>{@link BertEmbeddings} numbers the real tokens' positions from {@code P} (HF's
 *       {@code past_key_values_length}), so {@code P + seq} must not exceed
 *       {@code max_position_embeddings}.</li>
 * </ul>
 * The prefix has no query: the model's output keeps its shape {@code (batch, seq, hidden)}.
 * A prefix of length 0 is ignored, so the model computes exactly what it computes without one.
 *
 * @param keys per layer, {@code (batch, heads, P, head_size)}
 * @param values per layer, shaped as the keys
 */
public record KeyValuePrefix(List<NDArray> keys, List<NDArray> values) {

    /** The key of this record in DJL's forward {@code params}. */
    public static final String PARAM = "peft4j.key_value_prefix";

    /**
     * Copies the lists and checks the shapes.
     *
     * @throws IllegalArgumentException if the lists are empty or differ in length, or a tensor is
     *     not {@code (batch, heads, P, head_size)} with one shape for all keys and values
     */
    public KeyValuePrefix {
        keys = List.copyOf(keys);
        values = List.copyOf(values);
        if (keys.isEmpty() || keys.size() != values.size()) {
            throw new IllegalArgumentException("key_value_prefix needs one key and one value per layer, got "
                    + keys.size() + " keys and " + values.size() + " values");
        }
        Shape shape = keys.getFirst().getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("key_value_prefix tensors must be (batch, heads, prefix_len, head_size), got " + shape);
        }
        for (int layer = 0; layer < keys.size(); layer++) {
            requireShape("key", layer, keys.get(layer), shape);
            requireShape("value", layer, values.get(layer), shape);
        }
    }

    private static void requireShape(String kind, int layer, NDArray tensor, Shape expected) {
        if (!tensor.getShape().equals(expected)) {
            throw new IllegalArgumentException("key_value_prefix " + kind + " of layer " + layer + " has shape "
                    + tensor.getShape() + ", expected " + expected + " as every other");
        }
    }

    /** @return the number of layers the prefix covers */
    public int numLayers() {
        return keys.size();
    }

    /** @return the prefix length {@code P} in positions */
    public int length() {
        return Math.toIntExact(keys.getFirst().getShape().get(2));
    }

    /**
     * @param layer the layer index, {@code 0 .. numLayers()-1}
     * @return the key prefix {@code (batch, heads, P, head_size)}
     * @throws IllegalArgumentException if the layer is out of range
     */
    public NDArray key(int layer) {
        return keys.get(checkLayer(layer));
    }

    /**
     * @param layer the layer index, {@code 0 .. numLayers()-1}
     * @return the value prefix {@code (batch, heads, P, head_size)}
     * @throws IllegalArgumentException if the layer is out of range
     */
    public NDArray value(int layer) {
        return values.get(checkLayer(layer));
    }

    private int checkLayer(int layer) {
        if (layer < 0 || layer >= keys.size()) {
            throw new IllegalArgumentException("key_value_prefix covers layers 0.." + (keys.size() - 1) + ", not layer " + layer);
        }
        return layer;
    }

    /** @return forward {@code params} holding only this prefix */
    public PairList<String, Object> toParams() {
        PairList<String, Object> params = new PairList<>();
        params.add(PARAM, this);
        return params;
    }

    /**
     * @param params a forward pass's {@code params}, possibly {@code null}
     * @return the prefix they carry, or {@code null} if none
     */
    public static KeyValuePrefix from(PairList<String, Object> params) {
        if (params == null) {
            return null;
        }
        return params.get(PARAM) instanceof KeyValuePrefix prefix ? prefix : null;
    }
}
