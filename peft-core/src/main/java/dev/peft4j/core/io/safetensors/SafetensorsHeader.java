package dev.peft4j.core.io.safetensors;

import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file.
 *
 * @param entries the tensors in file (offset) order; names are unique, byte ranges are disjoint and
 *     together cover the data section exactly
 * @param metadata the optional {@code __metadata__} string map (empty if absent)
 * @param dataStart absolute file offset of the data section in bytes, {@code 8 + header length}
 */
public record SafetensorsHeader(List<SafetensorsEntry> entries, Map<String, String> metadata, long dataStart) {

    /** Copies the collections. */
    public SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = Map.copyOf(metadata);
    }
}
