package dev.peft4j.lora;

import dev.peft4j.core.io.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One LoRA adapter to combine with {@link LoraWeightedCombination}, in its saved form.
 *
 * @param name the adapter's name (named in error messages)
 * @param config its config, which gives each module's scaling ({@code lora_alpha / r}, or
 *     {@code lora_alpha / sqrt(r)} with rsLoRA, per {@code rank_pattern} / {@code alpha_pattern})
 * @param tensors its tensors keyed as in {@code adapter_model.safetensors}:
 *     {@code base_model.model.<module path>.lora_A.weight} {@code (r, in)} and {@code .lora_B.weight}
 *     {@code (out, r)} per adapted module, plus any {@code modules_to_save} copies under their keys
 * @param weight the weight {@code w}, finite, may be negative
 */
public record LoraWeightedSource(String name, LoraConfig config, Map<String, HostTensor> tensors, double weight) {

    /**
     * Copies the map, keeping its order.
     *
     * @throws IllegalArgumentException {@code weight for adapter 'a' must be a finite number, got NaN}
     */
    public LoraWeightedSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("weight for adapter '" + name + "' must be a finite number, got " + weight);
        }
    }
}
