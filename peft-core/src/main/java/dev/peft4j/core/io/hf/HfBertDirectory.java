package dev.peft4j.core.io.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsFile;
import dev.peft4j.core.io.safetensors.SafetensorsEntry;
import dev.peft4j.core.io.safetensors.SafetensorsHeader;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.BertConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Saves and loads a BERT encoder as an HF transformers model directory, readable by
 * {@code BertModel.from_pretrained(dir)} and {@code AutoTokenizer.from_pretrained(dir)}:
 *
 * <ul>
 *   <li>{@code config.json}: the {@link BertConfig} under HF's snake_case keys, plus
 *       {@code position_embedding_type: "absolute"} and {@code torch_dtype: "float32"}, keys sorted
 *       (as HF writes them);
 *   <li>{@code model.safetensors}: the weights as F32 under the given names (HF {@code BertModel}
 *       state-dict names, linear weights {@code (out, in)}), metadata {@code {"format": "pt"}};
 *   <li>{@code tokenizer.json}: a copy of the given HF tokenizers file, if any.
 * </ul>
 *
 * <p>Every file is written atomically, {@code config.json} last, so a directory with a
 * {@code config.json} is complete. On load, a leading {@code bert.} (how HF's task models such as
 * {@code BertForSequenceClassification} prefix the encoder) is removed from every key, so both
 * kinds of checkpoint load under the same names; nothing else is renamed or dropped.
 */
public final class HfBertDirectory {

    /** The config file name. */
    public static final String CONFIG_JSON = "config.json";
    /** The weights file name. */
    public static final String MODEL_SAFETENSORS = "model.safetensors";
    /** The tokenizer file name. */
    public static final String TOKENIZER_JSON = "tokenizer.json";
    /** The key prefix HF task models put before the encoder's state-dict names. */
    public static final String BERT_PREFIX = "bert.";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private HfBertDirectory() {}

    /**
     * Saves a model without a tokenizer, as {@link #save(Path, BertConfig, Map, Path)}.
     *
     * @param dir the model directory
     * @param config the hyper-parameters
     * @param weights fp32 tensors under HF state-dict names
     * @throws IOException if writing fails
     */
    public static void save(Path dir, BertConfig config, Map<String, HostTensor> weights) throws IOException {
        save(dir, config, weights, null);
    }

    /**
     * Saves a model; the directory is created if needed and existing files are replaced.
     *
     * @param dir the model directory
     * @param config the hyper-parameters
     * @param weights fp32 tensors under HF state-dict names
     * @param tokenizerJson an HF {@code tokenizer.json} to copy in, or {@code null} for none
     * @throws FileNotFoundException {@code tokenizer file not found: <path>} (before anything is written)
     * @throws IOException if writing fails
     */
    public static void save(Path dir, BertConfig config, Map<String, HostTensor> weights, Path tokenizerJson)
            throws IOException {
        if (tokenizerJson != null && !Files.isRegularFile(tokenizerJson)) {
            throw new FileNotFoundException("tokenizer file not found: " + tokenizerJson);
        }
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve(MODEL_SAFETENSORS), weights, Map.of("format", "pt"));
        if (tokenizerJson != null) {
            AtomicFiles.copy(tokenizerJson, dir.resolve(TOKENIZER_JSON));
        }
        AtomicFiles.write(dir.resolve(CONFIG_JSON), configJson(config));
    }

    /** @return HF's {@code config.json} bytes: pretty-printed, keys sorted, trailing newline */
    static byte[] configJson(BertConfig config) throws JsonProcessingException {
        ObjectNode node = MAPPER.valueToTree(config);
        node.put("position_embedding_type", "absolute");
        node.put("torch_dtype", "float32");
        Map<String, JsonNode> sorted = new TreeMap<>();
        node.properties().forEach(field -> sorted.put(field.getKey(), field.getValue()));
        return (MAPPER.writeValueAsString(sorted) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Loads a model directory.
     *
     * @param dir the model directory
     * @return config, weights (keys without {@code bert.}), the tokenizer file if present
     * @throws FileNotFoundException {@code model directory not found: <dir>}, or
     *     {@code HF model directory <dir> has no config.json} / {@code ... has no model.safetensors}
     * @throws ModelFormatException if {@code config.json} is not valid JSON, not a valid BERT config
     *     or not {@code model_type: bert}; if a key exists with and without {@code bert.}
     * @throws dev.peft4j.core.io.safetensors.SafetensorsFormatException if the weights file is malformed
     * @throws IOException if reading fails
     */
    public static HfBertModel load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException("model directory not found: " + dir);
        }
        Path configFile = dir.resolve(CONFIG_JSON);
        if (!Files.isRegularFile(configFile)) {
            throw new FileNotFoundException("HF model directory " + dir + " has no " + CONFIG_JSON);
        }
        Path weightsFile = dir.resolve(MODEL_SAFETENSORS);
        if (!Files.isRegularFile(weightsFile)) {
            throw new FileNotFoundException("HF model directory " + dir + " has no " + MODEL_SAFETENSORS
                    + unsupportedWeightsHint(dir));
        }
        BertConfig config = readConfig(configFile);
        SafetensorsHeader header = SafetensorsReader.readHeader(weightsFile);
        List<String> skipped = new ArrayList<>();
        for (SafetensorsEntry entry : header.entries()) {
            if (!entry.dtype().isReadableAsFloat()) {
                skipped.add(entry.name());
            }
        }
        SafetensorsFile file = SafetensorsReader.read(weightsFile, entry -> entry.dtype().isReadableAsFloat());
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> tensor : file.tensors().entrySet()) {
            String name = tensor.getKey();
            String key = name.startsWith(BERT_PREFIX) ? name.substring(BERT_PREFIX.length()) : name;
            if (weights.putIfAbsent(key, tensor.getValue()) != null) {
                throw new ModelFormatException(MODEL_SAFETENSORS + " in " + dir + " has both '" + BERT_PREFIX + key
                        + "' and '" + key + "'");
            }
        }
        Path tokenizer = dir.resolve(TOKENIZER_JSON);
        return new HfBertModel(config, weights,
                Files.isRegularFile(tokenizer) ? Optional.of(tokenizer) : Optional.empty(), skipped);
    }

    private static String unsupportedWeightsHint(Path dir) {
        if (Files.exists(dir.resolve("model.safetensors.index.json"))) {
            return " (found model.safetensors.index.json: sharded checkpoints are not supported)";
        }
        if (Files.exists(dir.resolve("pytorch_model.bin"))) {
            return " (found pytorch_model.bin, which peft4j does not read: convert it to safetensors)";
        }
        return "";
    }

    private static BertConfig readConfig(Path file) throws IOException {
        BertConfig config;
        try {
            config = MAPPER.readValue(file.toFile(), BertConfig.class);
        } catch (DatabindException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            String reason = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new ModelFormatException("invalid " + CONFIG_JSON + " in " + file.getParent() + ": " + reason, e);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("invalid " + CONFIG_JSON + " in " + file.getParent() + ": "
                    + e.getOriginalMessage(), e);
        }
        if (!"bert".equals(config.modelType())) {
            throw new ModelFormatException(CONFIG_JSON + " in " + file.getParent() + " has model_type '"
                    + config.modelType() + "'; supported: [bert]");
        }
        return config;
    }
}
