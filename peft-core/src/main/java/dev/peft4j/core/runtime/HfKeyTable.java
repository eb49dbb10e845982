package dev.peft4j.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HF PEFT keys one method's config does not model, and how a lenient read treats each: an
 * informational key is accepted with any value; a key with a default is accepted only when it holds
 * HF's default. The common rows below are extended by the provider's
 * {@link PeftMethodProvider#hfInformationalKeys()} and {@link PeftMethodProvider#hfIgnorableDefaults()}.
 */
final class HfKeyTable {

    /** Keys of HF's base {@code PeftConfig} that only record provenance or the runtime mode. */
    static final Set<String> COMMON_INFORMATIONAL = Set.of(
            "task_type", "base_model_name_or_path", "revision", "inference_mode", "auto_mapping",
            "peft_version", AdapterConfigJson.PROVENANCE);

    /** Keys HF PEFT writes for several tuners, with the value that asks for no behaviour. */
    static final Map<String, Object> COMMON_DEFAULTS = commonDefaults();

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");

    /** How a lenient read treats one key the config record does not model. */
    sealed interface Rule {
        /** Accepted with any value. */
        record Informational() implements Rule {}

        /** Accepted only when equal to {@code value}. */
        record Default(JsonNode value) implements Rule {}

        /** Not in the table. */
        record Unknown() implements Rule {}
    }

    private final Set<String> informational;
    private final Map<String, JsonNode> defaults;

    /**
     * @throws IllegalArgumentException if the provider's table holds a key that is not snake_case
     *     or a value that is not JSON-like, naming the provider class
     */
    HfKeyTable(PeftMethodProvider<?> provider, ObjectMapper mapper) {
        String owner = provider.getClass().getName();
        Set<String> keys = new HashSet<>(COMMON_INFORMATIONAL);
        for (String key : nonNull(provider.hfInformationalKeys(), owner)) {
            keys.add(checkKey(key, owner, "hfInformationalKeys()"));
        }
        Map<String, Object> merged = new LinkedHashMap<>(COMMON_DEFAULTS);
        Map<String, Object> own = provider.hfIgnorableDefaults();
        if (own == null) {
            throw new IllegalArgumentException("provider " + owner + ": hfIgnorableDefaults() returned null");
        }
        own.forEach((key, value) -> merged.put(checkKey(key, owner, "hfIgnorableDefaults()"), value));
        Map<String, JsonNode> nodes = new HashMap<>();
        merged.forEach((key, value) -> {
            try {
                nodes.put(key, value == null ? NullNode.getInstance() : mapper.valueToTree(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("provider " + owner + ": hfIgnorableDefaults() value of '"
                        + key + "' is not JSON-like: " + value.getClass().getName(), e);
            }
        });
        this.informational = Set.copyOf(keys);
        this.defaults = Map.copyOf(nodes);
    }

    Rule rule(String key) {
        JsonNode value = defaults.get(key);
        if (value != null) {
            return new Rule.Default(value);
        }
        return informational.contains(key) ? new Rule.Informational() : new Rule.Unknown();
    }

    private static Set<String> nonNull(Set<String> keys, String owner) {
        if (keys == null) {
            throw new IllegalArgumentException("provider " + owner + ": hfInformationalKeys() returned null");
        }
        return keys;
    }

    private static String checkKey(String key, String owner, String source) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("provider " + owner + ": " + source + " key "
                    + (key == null ? "null" : "'" + key + "'") + " must be snake_case (" + KEY.pattern() + ")");
        }
        return key;
    }

    private static Map<String, Object> commonDefaults() {
        Map<String, Object> table = new HashMap<>();
        table.put("modules_to_save", null);
        table.put("layers_to_transform", null);
        table.put("layers_pattern", null);
        table.put("exclude_modules", null);
        table.put("rank_pattern", Map.of());
        table.put("alpha_pattern", Map.of());
        table.put("megatron_config", null);
        table.put("megatron_core", "megatron.core");
        table.put("layer_replication", null);
        table.put("use_dora", false);
        table.put("loftq_config", Map.of());
        table.put("trainable_token_indices", null);
        return Collections.unmodifiableMap(table);
    }
}
