package dev.peft4j.core.io.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.peft4j.core.io.ModelFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The index of a sharded HF checkpoint, {@code model.safetensors.index.json}, as
 * {@code save_pretrained(max_shard_size=...)} writes it:
 * {@code {"metadata": {"total_size": <bytes>}, "weight_map": {"<tensor name>": "model-00001-of-00002.safetensors", ...}}}.
 *
 * <p>Only {@code weight_map} is used ({@code metadata} is informational, as in HF transformers). The
 * index is validated on read: {@code weight_map} must be an object whose values are plain file
 * names (no folder part, so a shard can never be looked up outside the model directory), and no
 * tensor name may appear twice (the JSON is parsed with duplicate detection; HF's {@code json.load}
 * would silently keep the last).
 *
 * @param file the index file
 * @param weightMap tensor name to shard file name, in the file's order; unmodifiable
 */
public record HfShardIndex(Path file, Map<String, String> weightMap) {

    /** The index file name HF writes beside the shards. */
    public static final String INDEX_JSON = "model.safetensors.index.json";

    private static final ObjectMapper MAPPER =
            JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /** Copies the map, keeping its order. */
    public HfShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    /**
     * Reads and validates an index file.
     *
     * @param file a {@code model.safetensors.index.json}
     * @return the index
     * @throws FileNotFoundException {@code shard index not found: <file>}
     * @throws ModelFormatException if the file is not JSON or names a tensor twice
     *     ({@code invalid model.safetensors.index.json in <dir>: ...}), has no {@code weight_map} object
     *     ({@code model.safetensors.index.json in <dir> has no weight_map object}), or maps a tensor to
     *     something other than a file name ({@code model.safetensors.index.json in <dir>: weight_map['x']
     *     must be a shard file name in the model directory, got "../x.safetensors"})
     * @throws IOException if reading fails
     */
    public static HfShardIndex read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("shard index not found: " + file);
        }
        String where = INDEX_JSON + " in " + file.getParent();
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("invalid " + where + ": " + e.getOriginalMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(where + " has no weight_map object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            JsonNode shard = entry.getValue();
            if (!shard.isTextual() || !isPlainFileName(shard.asText())) {
                throw new ModelFormatException(where + ": weight_map['" + entry.getKey()
                        + "'] must be a shard file name in the model directory, got " + shard);
            }
            weightMap.put(entry.getKey(), shard.asText());
        }
        return new HfShardIndex(file, weightMap);
    }

    /** @return the shard file names, each once, in order of first appearance */
    public List<String> shards() {
        return new ArrayList<>(new LinkedHashSet<>(weightMap.values()));
    }

    /**
     * @param shard a shard file name
     * @return the tensor names the index places in that shard, in index order
     */
    public List<String> tensorsIn(String shard) {
        return weightMap.entrySet().stream().filter(e -> e.getValue().equals(shard)).map(Map.Entry::getKey).toList();
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    }
}
