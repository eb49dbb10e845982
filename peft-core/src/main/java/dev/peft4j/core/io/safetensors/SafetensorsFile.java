package dev.peft4j.core.io.safetensors;

import dev.peft4j.core.io.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decoded content of a safetensors file.
 *
 * @param tensors the decoded tensors, all fp32, in file (offset) order; unmodifiable
 * @param metadata the {@code __metadata__} string map (empty if absent)
 */
public record SafetensorsFile(Map<String, HostTensor> tensors, Map<String, String> metadata) {

    /** Copies the collections, keeping the tensor order. */
    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }
}
