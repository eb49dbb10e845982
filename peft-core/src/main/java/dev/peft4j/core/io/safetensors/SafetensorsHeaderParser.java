package dev.peft4j.core.io.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Parses and validates the JSON header of a safetensors file (the bytes after the 8-byte length
 * prefix). Every rule of the format is checked here, so a reader never seeks outside a tensor's
 * own bytes: one JSON object (nothing after it but whitespace padding), no repeated key at any level
 * (Jackson keeps the last duplicate by default; the root is read field by field to name it), an
 * optional {@code __metadata__} object of strings, and per tensor exactly the keys {@code dtype} (a
 * known name), {@code shape} (non-negative integers whose product times the element size fits in a
 * {@code long}) and {@code data_offsets} (two integers {@code 0 <= begin <= end} spanning exactly
 * that size, inside the data section); the byte ranges, sorted, must tile the data section with no
 * overlap and no gap. Stricter than HF's reader in one point: unknown keys in a tensor entry are
 * rejected rather than ignored.
 */
final class SafetensorsHeaderParser {

    static final String METADATA_KEY = "__metadata__";

    private static final List<String> ENTRY_KEYS = List.of("dtype", "shape", "data_offsets");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private final String file;

    private SafetensorsHeaderParser(String file) {
        this.file = file;
    }

    /**
     * @param file the file name used in messages
     * @param json the header bytes (UTF-8 JSON, possibly padded with trailing spaces)
     * @param dataSize the size in bytes of the data section that follows the header
     * @param dataStart the absolute offset of the data section
     * @return the validated header, entries in offset order
     * @throws SafetensorsFormatException naming the file and the first problem found
     */
    static SafetensorsHeader parse(String file, byte[] json, long dataSize, long dataStart)
            throws SafetensorsFormatException {
        return new SafetensorsHeaderParser(file).parse(json, dataSize, dataStart);
    }

    private SafetensorsHeader parse(byte[] json, long dataSize, long dataStart) throws SafetensorsFormatException {
        Map<String, JsonNode> fields = readTopLevel(json);
        Map<String, String> metadata = Map.of();
        List<SafetensorsEntry> entries = new ArrayList<>(fields.size());
        for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(field.getValue());
            } else {
                entries.add(entry(field.getKey(), field.getValue(), dataSize));
            }
        }
        entries.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        checkCoverage(entries, dataSize);
        return new SafetensorsHeader(entries, metadata, dataStart);
    }

    /** Reads the root object field by field, so that a repeated tensor name is caught by name. */
    private Map<String, JsonNode> readTopLevel(byte[] json) throws SafetensorsFormatException {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        try (JsonParser parser = MAPPER.createParser(json)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_OBJECT) {
                throw new SafetensorsFormatException("safetensors header of " + file
                        + " must be a JSON object, got " + (token == null ? "nothing" : describe(token)));
            }
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                JsonNode value = MAPPER.readTree(parser);
                if (fields.putIfAbsent(name, value) != null) {
                    throw new SafetensorsFormatException("duplicate " + (name.equals(METADATA_KEY) ? "key" : "tensor name")
                            + " '" + name + "' in safetensors header of " + file);
                }
            }
            if (parser.nextToken() != null) {
                throw new SafetensorsFormatException("safetensors header of " + file
                        + " is not valid JSON: content after the closing '}'");
            }
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(
                    "safetensors header of " + file + " is not valid JSON: " + e.getOriginalMessage() + where(e), e);
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            // Parsing an in-memory byte array does no I/O; keep the contract of one exception type anyway.
            throw new SafetensorsFormatException(
                    "safetensors header of " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        return fields;
    }

    private static String where(JsonProcessingException e) {
        long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
        return offset < 0 ? "" : " (at byte " + offset + " of the header)";
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private Map<String, String> metadata(JsonNode node) throws SafetensorsFormatException {
        if (node == null || !node.isObject()) {
            throw badMetadata(node);
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw badMetadata(node);
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private SafetensorsFormatException badMetadata(JsonNode node) {
        return new SafetensorsFormatException("'" + METADATA_KEY + "' in safetensors header of " + file
                + " must be an object of string values, got " + node);
    }

    private SafetensorsEntry entry(String name, JsonNode node, long dataSize) throws SafetensorsFormatException {
        if (node == null || !node.isObject()) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file
                    + " must be an object with dtype, shape and data_offsets, got " + node);
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!ENTRY_KEYS.contains(field.getKey())) {
                throw new SafetensorsFormatException("tensor '" + name + "' in " + file + " has unknown key '"
                        + field.getKey() + "'; allowed: " + ENTRY_KEYS);
            }
        }
        SafetensorsDtype dtype = dtype(name, required(name, node, "dtype"));
        long[] shape = longs(name, "shape", required(name, node, "shape"));
        long[] offsets = longs(name, "data_offsets", required(name, node, "data_offsets"));
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file
                    + ": 'data_offsets' must be [begin, end] with 0 <= begin <= end, got " + Arrays.toString(offsets));
        }
        long needed = byteSize(name, dtype, shape);
        long span = offsets[1] - offsets[0];
        if (needed != span) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file + ": shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + needed + " bytes, but data_offsets "
                    + Arrays.toString(offsets) + " span " + span);
        }
        if (offsets[1] > dataSize) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file + ": data_offsets "
                    + Arrays.toString(offsets) + " end beyond the " + dataSize + "-byte data section");
        }
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private JsonNode required(String name, JsonNode node, String key) throws SafetensorsFormatException {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file + " has no '" + key + "'");
        }
        return value;
    }

    private SafetensorsDtype dtype(String name, JsonNode node) throws SafetensorsFormatException {
        String text = node.isTextual() ? node.textValue() : node.toString();
        try {
            if (node.isTextual()) {
                return SafetensorsDtype.valueOf(text);
            }
        } catch (IllegalArgumentException unknown) {
            // reported below
        }
        Set<String> known = new TreeSet<>();
        for (SafetensorsDtype dtype : EnumSet.allOf(SafetensorsDtype.class)) {
            known.add(dtype.name());
        }
        throw new SafetensorsFormatException("tensor '" + name + "' in " + file + " has unknown dtype "
                + (node.isTextual() ? "'" + text + "'" : text) + "; known: " + known);
    }

    private long[] longs(String name, String key, JsonNode node) throws SafetensorsFormatException {
        if (!node.isArray()) {
            throw notNaturals(name, key, node);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw notNaturals(name, key, node);
            }
            values[i] = element.longValue();
        }
        return values;
    }

    private SafetensorsFormatException notNaturals(String name, String key, JsonNode node) {
        return new SafetensorsFormatException("tensor '" + name + "' in " + file + ": '" + key
                + "' must be an array of non-negative integers, got " + node);
    }

    private long byteSize(String name, SafetensorsDtype dtype, long[] shape) throws SafetensorsFormatException {
        try {
            return Math.multiplyExact(HostTensor.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file + ": shape "
                    + Arrays.toString(shape) + " of " + dtype + " overflows a 64-bit byte count");
        }
    }

    /** Entries sorted by offset must tile {@code [0, dataSize)}: no overlap, no gap, nothing after. */
    private void checkCoverage(List<SafetensorsEntry> sorted, long dataSize) throws SafetensorsFormatException {
        long expected = 0;
        SafetensorsEntry previous = null;
        for (SafetensorsEntry entry : sorted) {
            if (entry.begin() < expected) {
                throw new SafetensorsFormatException("tensors '" + previous.name() + "' and '" + entry.name()
                        + "' in " + file + " overlap: data_offsets [" + previous.begin() + ", " + previous.end()
                        + "] and [" + entry.begin() + ", " + entry.end() + "]");
            }
            if (entry.begin() > expected) {
                throw gap(expected, entry.begin());
            }
            expected = entry.end();
            if (entry.byteLength() > 0 || previous == null) {
                previous = entry;
            }
        }
        if (expected != dataSize) {
            throw gap(expected, dataSize);
        }
    }

    private SafetensorsFormatException gap(long from, long to) {
        return new SafetensorsFormatException("gap in the data section of " + file + ": bytes [" + from + ", " + to
                + ") belong to no tensor");
    }
}
