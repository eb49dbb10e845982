package dev.peft4j.core.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes PEFT configs as JSON, polymorphic on {@code peft_type}, with HF PEFT's
 * snake_case key names. Thread-safe.
 *
 * <p>Two read modes:
 * <ul>
 *   <li>{@link #readUserConfig} — configs users write ({@code --config}): strict. Every key must
 *       be one the method's config record models:
 *       {@code unknown key 'lora_alpah' in LORA config; known: [bias, lora_alpha, r, target_modules]}.
 *   <li>{@link #readHfConfig} — {@code adapter_config.json} written by HF PEFT: lenient about keys
 *       we do not model. Informational keys ({@code task_type}, {@code base_model_name_or_path},
 *       {@code revision}, {@code inference_mode}, ...) are accepted with any value; keys with a
 *       known HF default ({@code use_dora: false}, {@code layer_replication: null},
 *       {@code megatron_core: "megatron.core"}, ...) are accepted while they hold it, and otherwise
 *       rejected: {@code HF config key 'use_dora' = true asks for behaviour peft4j does not support yet;
 *       only HF's default false is accepted}. A key in no table is accepted when it holds an empty
 *       value ({@code null}, {@code false}, {@code ""}, {@code []}, {@code {}}) — HF's convention
 *       for a feature that is off — and rejected otherwise:
 *       {@code unknown HF config key 'foo' = 3 in LORA config; known: [...]}. Ignored keys are
 *       logged at debug (unknown empty ones at warn).
 * </ul>
 *
 * <p>Both modes fail, with an {@link InvalidConfigException}, on malformed JSON
 * ({@code malformed config JSON at line 1, column 9: ...}), a non-object
 * ({@code config JSON must be an object, got ARRAY}), a missing {@code peft_type}
 * ({@code missing key 'peft_type'; known: [FULL (full), ...]}), an unknown one
 * ({@code unknown peft_type 'LORRA'; known: [...]}), a value of the wrong type
 * ({@code key 'r' in LORA config must be an integer, got "8"}) and any validation error of the
 * record's constructor (its message unchanged, e.g. {@code lora.r must be > 0, got 0}).
 */
public final class PeftConfigs {

    private static final Logger LOG = LoggerFactory.getLogger(PeftConfigs.class);
    private static final String PEFT_TYPE = "peft_type";

    private final MethodRegistry registry;
    private final ObjectMapper mapper;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final Map<String, HfKeyTable> hfTables;
    private final Map<Class<?>, List<String>> keysByType = new ConcurrentHashMap<>();

    /**
     * @param registry the installed methods
     * @throws IllegalArgumentException if a provider's HF key table is invalid, naming the provider
     */
    public PeftConfigs(MethodRegistry registry) {
        this.registry = registry;
        this.mapper = PeftJson.newObjectMapper(registry);
        this.reader = mapper.readerFor(PeftConfig.class);
        this.writer = mapper.writerFor(PeftConfig.class).withDefaultPrettyPrinter();
        this.hfTables = registry.providers().stream().collect(Collectors.toUnmodifiableMap(
                PeftMethodProvider::peftType, provider -> new HfKeyTable(provider, mapper)));
    }

    /**
     * Reads a config a user wrote, strictly.
     *
     * @param json a JSON object with {@code peft_type}
     * @return the validated config record of the method named by {@code peft_type}
     * @throws InvalidConfigException as described on the class
     */
    public PeftConfig readUserConfig(String json) {
        return read(json, false);
    }

    /**
     * As {@link #readUserConfig(String)}, from a UTF-8 file. Messages are prefixed with the path.
     *
     * @param file the JSON file
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws InvalidConfigException {@code <file>: <message of readUserConfig(String)>}
     */
    public PeftConfig readUserConfig(Path file) throws IOException {
        return readFile(file, this::readUserConfig);
    }

    /**
     * Reads an {@code adapter_config.json} written by HF PEFT, leniently (see the class comment).
     *
     * @param json a JSON object with {@code peft_type}
     * @return the validated config record of the method named by {@code peft_type}
     * @throws InvalidConfigException as described on the class
     */
    public PeftConfig readHfConfig(String json) {
        return read(json, true);
    }

    /**
     * As {@link #readHfConfig(String)}, from a UTF-8 file. Messages are prefixed with the path.
     *
     * @param file the JSON file, usually {@code adapter_config.json}
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws InvalidConfigException {@code <file>: <message of readHfConfig(String)>}
     */
    public PeftConfig readHfConfig(Path file) throws IOException {
        return readFile(file, this::readHfConfig);
    }

    /**
     * Writes a config as pretty JSON: {@code peft_type} first, then every record component under
     * its snake_case name, sorted (as HF PEFT's {@code json.dumps(indent=2, sort_keys=True)}).
     *
     * @param config a config of an installed method
     * @return the JSON text, which {@link #readUserConfig(String)} reads back to an equal record
     * @throws IllegalArgumentException if no installed method reads the config's type
     */
    public String writeConfig(PeftConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is null");
        }
        registry.byConfigType(config.getClass());
        try {
            return writer.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + config.getClass().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * The JSON keys a config type models, as {@link #readUserConfig} accepts them.
     *
     * @param configType a config record class
     * @return the snake_case keys, sorted; {@code peft_type} excluded
     */
    public List<String> configKeys(Class<? extends PeftConfig> configType) {
        return keysByType.computeIfAbsent(configType, type -> {
            BeanDescription description = mapper.getDeserializationConfig().introspect(mapper.constructType(type));
            return description.findProperties().stream()
                    .filter(BeanPropertyDefinition::couldDeserialize)
                    .map(BeanPropertyDefinition::getName)
                    .filter(name -> !name.equals(PEFT_TYPE))
                    .sorted()
                    .toList();
        });
    }

    /** @return this reader's mapper (sorted keys, snake_case); shared, do not reconfigure */
    ObjectMapper mapper() {
        return mapper;
    }

    private PeftConfig read(String json, boolean hf) {
        ObjectNode tree = parseObject(json);
        PeftMethodProvider<?> provider = providerOf(tree);
        String peftType = provider.peftType();
        List<String> known = configKeys(provider.configType());
        ObjectNode toBind = tree.deepCopy();
        for (Map.Entry<String, JsonNode> field : tree.properties()) {
            String key = field.getKey();
            if (key.equals(PEFT_TYPE) || known.contains(key)) {
                continue;
            }
            if (!hf) {
                throw new InvalidConfigException("unknown key '" + key + "' in " + peftType + " config; known: " + known);
            }
            checkHfKey(hfTables.get(peftType), peftType, key, field.getValue(), known);
            toBind.remove(key);
        }
        try {
            return reader.readValue(toBind);
        } catch (DatabindException e) {
            throw ConfigErrors.binding(e, toBind, peftType, mapper);
        } catch (IOException e) {
            throw new InvalidConfigException("invalid " + peftType + " config: " + e.getMessage(), e);
        }
    }

    private void checkHfKey(HfKeyTable table, String peftType, String key, JsonNode value, List<String> known) {
        switch (table.rule(key)) {
            case HfKeyTable.Rule.Informational() ->
                    LOG.debug("{} config: ignoring HF key '{}' = {} (informational)", peftType, key, JsonValues.show(value));
            case HfKeyTable.Rule.Default(JsonNode expected) -> {
                if (!JsonValues.sameValue(expected, value)) {
                    throw new InvalidConfigException("HF config key '" + key + "' = " + JsonValues.show(value)
                            + " asks for behaviour peft4j does not support yet; only HF's default "
                            + JsonValues.show(expected) + " is accepted");
                }
                LOG.debug("{} config: ignoring HF key '{}' = {} (HF default)", peftType, key, JsonValues.show(value));
            }
            case HfKeyTable.Rule.Unknown() -> {
                if (!JsonValues.isEmpty(value)) {
                    throw new InvalidConfigException("unknown HF config key '" + key + "' = " + JsonValues.show(value)
                            + " in " + peftType + " config; known: " + known);
                }
                LOG.warn("{} config: ignoring unknown HF key '{}' = {} (empty value)", peftType, key, JsonValues.show(value));
            }
        }
    }

    private ObjectNode parseObject(String json) {
        if (json == null) {
            throw new InvalidConfigException("config JSON is null");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw ConfigErrors.malformed(e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidConfigException("config JSON is empty");
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new InvalidConfigException("config JSON must be an object, got " + tree.getNodeType());
        }
        return object;
    }

    private PeftMethodProvider<?> providerOf(ObjectNode tree) {
        JsonNode type = tree.get(PEFT_TYPE);
        if (type == null) {
            throw new InvalidConfigException("missing key 'peft_type'; known: " + registry.describeInstalled());
        }
        if (!type.isTextual()) {
            throw new InvalidConfigException("key 'peft_type' must be a string, got " + JsonValues.show(type)
                    + "; known: " + registry.describeInstalled());
        }
        return registry.findByPeftType(type.textValue()).orElseThrow(() -> new InvalidConfigException(
                registry.unknownPeftType(type.textValue()).getMessage()));
    }

    private static PeftConfig readFile(Path file, Function<String, PeftConfig> read) throws IOException {
        String json = Files.readString(file);
        try {
            return read.apply(json);
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(file + ": " + e.getMessage(), e);
        }
    }
}
