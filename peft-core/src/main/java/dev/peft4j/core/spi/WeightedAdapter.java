package dev.peft4j.core.spi;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One source of a weighted combination of adapters (HF PEFT's {@code add_weighted_adapter}): an
 * adapter's config, its tensors as HF PEFT saves them, and its weight.
 *
 * @param name the adapter's name, used in error messages
 * @param config the adapter's applied config
 * @param tensors the adapter's tensors keyed as in {@code adapter_model.safetensors}
 *     ({@code base_model.model.<module path>.lora_A.weight} {@code (r, in)}, ...), fp32; owned by
 *     the caller and only read
 * @param weight the adapter's weight, finite; may be negative (HF PEFT allows subtracting an adapter)
 */
public record WeightedAdapter(String name, PeftConfig config, Map<String, NDArray> tensors, double weight) {

    /**
     * Copies the tensor map, keeping its order.
     *
     * @throws NullPointerException if a component is {@code null}
     * @throws IllegalArgumentException {@code weight for adapter 'a' must be a finite number, got NaN}
     */
    public WeightedAdapter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("weight for adapter '" + name + "' must be a finite number, got " + weight);
        }
    }

    /**
     * Checks the argument lists of {@code add_weighted_adapter(adapters, weights, ...)} before any
     * adapter is looked up: at least one adapter, no adapter twice, one finite weight per adapter.
     *
     * @param adapters the source adapters' names
     * @param weights one weight per adapter
     * @throws IllegalArgumentException {@code add_weighted_adapter needs at least one adapter, got none};
     *     {@code add_weighted_adapter got 2 adapters [a, b] but 3 weights [1.0, 1.0, 1.0]; give one weight per adapter};
     *     {@code adapter 'a' is listed twice in [a, a]};
     *     {@code weight for adapter 'b' must be a finite number, got NaN}
     */
    public static void checkArguments(List<String> adapters, List<Double> weights) {
        if (adapters == null || adapters.isEmpty()) {
            throw new IllegalArgumentException("add_weighted_adapter needs at least one adapter, got none");
        }
        if (weights == null || weights.size() != adapters.size()) {
            throw new IllegalArgumentException("add_weighted_adapter got " + adapters.size() + " adapters " + adapters + " but "
                    + (weights == null ? 0 : weights.size()) + " weights " + (weights == null ? "[]" : weights)
                    + "; give one weight per adapter");
        }
        for (int i = 0; i < adapters.size(); i++) {
            if (adapters.indexOf(adapters.get(i)) != i) {
                throw new IllegalArgumentException("adapter '" + adapters.get(i) + "' is listed twice in " + adapters);
            }
            Double weight = weights.get(i);
            if (weight == null || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("weight for adapter '" + adapters.get(i) + "' must be a finite number, got "
                        + weight);
            }
        }
    }
}
