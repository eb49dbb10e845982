package dev.peft4j.core.io.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.model.Gpt2Config;
import dev.peft4j.core.model.Gpt2LMHeadModel;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.LlamaForCausalLM;
import dev.peft4j.core.model.TransformerModel;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code config.json} of an HF decoder model directory: its family, HF's {@code model_type},
 * and the family's configuration record.
 *
 * <p>Families: {@code llama} ({@link LlamaConfig}, {@code LlamaForCausalLM}) and {@code gpt2}
 * ({@link Gpt2Config}, {@code GPT2LMHeadModel}). Other decoders are refused by name, Mistral and
 * Qwen2 included: their blocks are not Llama's (Mistral's sliding-window attention, Qwen2's biases
 * on {@code q/k/v_proj} but not {@code o_proj}), so loading them as Llama would compute something else.
 *
 * @param modelType {@code llama} or {@code gpt2}
 * @param config a {@link LlamaConfig} or a {@link Gpt2Config}
 */
public record HfDecoderConfig(String modelType, Record config) {

    /** The config file name. */
    public static final String CONFIG_JSON = "config.json";
    /** The {@code model_type}s that load, sorted. */
    public static final List<String> SUPPORTED_MODEL_TYPES = List.of(Gpt2Config.GPT2, LlamaConfig.LLAMA);

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * @throws IllegalArgumentException if the record is neither a Llama nor a GPT-2 configuration
     */
    public HfDecoderConfig {
        if (!(config instanceof LlamaConfig) && !(config instanceof Gpt2Config)) {
            throw new IllegalArgumentException("a decoder config is a LlamaConfig or a Gpt2Config, got "
                    + (config == null ? "null" : config.getClass().getSimpleName()));
        }
    }

    /**
     * @param model a decoder built by {@link TransformerModel#llama} or {@link TransformerModel#gpt2}
     * @return its configuration
     * @throws IllegalArgumentException {@code cannot save a 'bert' model as an HF decoder directory;
     *     supported: [gpt2, llama]}
     */
    public static HfDecoderConfig of(TransformerModel model) {
        return switch (model.root()) {
            case LlamaForCausalLM llama -> new HfDecoderConfig(LlamaConfig.LLAMA, llama.config());
            case Gpt2LMHeadModel gpt2 -> new HfDecoderConfig(Gpt2Config.GPT2, gpt2.config());
            default -> throw new IllegalArgumentException("cannot save a '" + model.architecture()
                    + "' model as an HF decoder directory; supported: " + SUPPORTED_MODEL_TYPES);
        };
    }

    /**
     * Reads {@code <dir>/config.json}.
     *
     * @param dir an HF model directory
     * @return the configuration
     * @throws FileNotFoundException {@code HF model directory <dir> has no config.json}
     * @throws ModelFormatException {@code config.json in <dir> has model_type 'mistral'; supported:
     *     [gpt2, llama]} (also for a missing {@code model_type}: {@code has no model_type}), or
     *     {@code invalid config.json in <dir>: <reason>} for broken JSON or a value the family's
     *     record refuses ({@code llama.num_attention_heads (4) must be divisible by num_key_value_heads (3)})
     * @throws IOException if reading fails
     */
    public static HfDecoderConfig read(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG_JSON);
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("HF model directory " + dir + " has no " + CONFIG_JSON);
        }
        try {
            JsonNode node = MAPPER.readTree(file.toFile());
            JsonNode type = node == null ? null : node.get("model_type");
            if (type == null || !type.isTextual()) {
                throw new ModelFormatException(CONFIG_JSON + " in " + dir + " has no model_type; supported: " + SUPPORTED_MODEL_TYPES);
            }
            return switch (type.asText()) {
                case LlamaConfig.LLAMA -> new HfDecoderConfig(LlamaConfig.LLAMA, MAPPER.treeToValue(node, LlamaConfig.class));
                case Gpt2Config.GPT2 -> new HfDecoderConfig(Gpt2Config.GPT2, MAPPER.treeToValue(node, Gpt2Config.class));
                default -> throw new ModelFormatException(CONFIG_JSON + " in " + dir + " has model_type '" + type.asText()
                        + "'; supported: " + SUPPORTED_MODEL_TYPES);
            };
        } catch (DatabindException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            String reason = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new ModelFormatException("invalid " + CONFIG_JSON + " in " + dir + ": " + reason, e);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("invalid " + CONFIG_JSON + " in " + dir + ": " + e.getOriginalMessage(), e);
        }
    }

    /** @return how the family's checkpoint names map onto the model's */
    public DecoderKeyLayout keyLayout() {
        return config instanceof LlamaConfig ? DecoderKeyLayout.LLAMA : DecoderKeyLayout.GPT2;
    }

    /** @return whether {@code lm_head} reuses the input embedding (always for GPT-2) */
    public boolean tiedHead() {
        return !(config instanceof LlamaConfig llama) || llama.tieWordEmbeddings();
    }

    /** @return HF's class name written into {@code architectures}: {@code LlamaForCausalLM} or {@code GPT2LMHeadModel} */
    public String architectureClass() {
        return config instanceof LlamaConfig ? "LlamaForCausalLM" : "GPT2LMHeadModel";
    }

    /**
     * @param parent the manager under which the model's own manager is created
     * @return a freshly initialised model of this configuration; the caller closes it
     */
    public TransformerModel newModel(NDManager parent) {
        return config instanceof LlamaConfig llama ? TransformerModel.llama(llama, parent)
                : TransformerModel.gpt2((Gpt2Config) config, parent);
    }

    /** @return the root block a plain model of this configuration has, built but not initialised */
    Block plainRoot() {
        return config instanceof LlamaConfig llama ? new LlamaForCausalLM(llama) : new Gpt2LMHeadModel((Gpt2Config) config);
    }

    /**
     * HF's {@code config.json}: the record's keys, {@code architectures} set to the class the weights
     * are written for, {@code torch_dtype: "float32"}, no empty {@code eos_token_id}; keys sorted,
     * pretty-printed, with a trailing newline (as HF writes it).
     *
     * @return the file's bytes
     * @throws JsonProcessingException if serialisation fails
     */
    public byte[] toJson() throws JsonProcessingException {
        ObjectNode node = MAPPER.valueToTree(config);
        node.putArray("architectures").add(architectureClass());
        node.put("torch_dtype", "float32");
        JsonNode eos = node.get("eos_token_id");
        if (eos != null && eos.isArray() && eos.isEmpty()) {
            node.remove("eos_token_id");
        }
        Map<String, JsonNode> sorted = new TreeMap<>();
        node.properties().forEach(field -> sorted.put(field.getKey(), field.getValue()));
        return (MAPPER.writeValueAsString(sorted) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
