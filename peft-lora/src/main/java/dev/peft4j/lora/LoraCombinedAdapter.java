package dev.peft4j.lora;

import dev.peft4j.core.io.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A LoRA adapter made by {@link LoraWeightedCombination}: a plain adapter (scaling 1:
 * {@code lora_alpha = r}, no rsLoRA, no patterns) whose tensors hold every source's scaling and
 * weight. Saved as {@code adapter_config.json} ({@code runtime.writeConfig(config)}) and
 * {@code adapter_model.safetensors} ({@code tensors}), e.g. with
 * {@link dev.peft4j.core.io.AdapterCheckpoint#write}, it loads like any adapter.
 *
 * @param config the new adapter's config
 * @param tensors {@code base_model.model.<path>.lora_A.weight} {@code (r, in)} and
 *     {@code .lora_B.weight} {@code (out, r)} per module, then carried {@code modules_to_save} copies
 */
public record LoraCombinedAdapter(LoraConfig config, Map<String, HostTensor> tensors) {

    /** Copies the map, keeping its order. */
    public LoraCombinedAdapter {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
