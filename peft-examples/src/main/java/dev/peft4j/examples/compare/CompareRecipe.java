package dev.peft4j.examples.compare;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.examples.cli.RecipeJson;
import dev.peft4j.examples.cli.TrainPreset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The recipe of one {@code peft compare} run, read from one JSON object (snake_case, strict).
 *
 * <p>Top-level keys: {@code model} (a bundled encoder name, {@code all-minilm-l6-v2}, or the path of
 * an HF BERT model directory with {@code config.json}, {@code model.safetensors} and
 * {@code tokenizer.json}), {@code data} ({@code rotten-tomatoes}, or an object {@code {"file": ...,
 * "text_column": "text", "label_column": "label", "header": true, "format": "csv"}} for a labelled
 * CSV or JSON Lines file, see {@link CompareData}), {@code test_fraction} and {@code split_seed} (the
 * stratified held-out split), {@code max_train_samples} and {@code max_eval_samples} (the first N of
 * each side of the split), {@code forgetting_sentences} (how many general-English sentences the
 * forgetting probe embeds), {@code method_timeout_minutes}, {@code child_heap} (the child JVMs'
 * pinned heap, {@code 1g}), every {@link TrainingRecipe} key (shared
 * by all methods), and {@code methods}: an object from method name (alias or {@code peft_type}) to
 * that method's overrides, whose keys are the method config's HF keys ({@code r}, {@code placement})
 * or recipe keys ({@code lr}).
 *
 * <p>Which methods run: {@code --methods} if given, else the keys of the config file's
 * {@code methods}, else {@code full, lora, bottleneck, prefix, prompt}. Each method's keys, lowest
 * first: its config record's defaults &lt; the shared defaults &lt; the method's defaults in
 * {@link CompareDefaults} (or {@code peft train}'s preset for other methods) &lt; {@code --quick}
 * &lt; the config file's top-level keys &lt; the config file's {@code methods.<name>} &lt; recipe flags
 * ({@code --lr}, {@code --epochs}, ...; one value for every method). Every method named in the file's
 * {@code methods} is validated, whether or not {@code --methods} selects it.
 *
 * @param model the encoder: bundled name or HF directory path
 * @param data {@code "rotten-tomatoes"} or a data-file object
 * @param testFraction held-out share of each class, in (0, 1)
 * @param splitSeed seed of the stratified split
 * @param maxTrainSamples train on the first N training sentences, or {@code null} for all
 * @param maxEvalSamples evaluate on the first N held-out sentences, or {@code null} for all
 * @param forgettingSentences how many probe sentences the forgetting measurement embeds, &gt;= 0
 * @param methodTimeoutMinutes how long one method's child JVM may run before it is killed
 * @param childHeap the child JVMs' pinned heap ({@code -Xms} = {@code -Xmx}), e.g. {@code 1g}
 * @param methods the methods to run, in order
 * @param json the effective recipe as run (recorded in {@code results.json})
 */
public record CompareRecipe(String model, JsonNode data, double testFraction, long splitSeed, Integer maxTrainSamples,
        Integer maxEvalSamples, int forgettingSentences, int methodTimeoutMinutes, String childHeap, List<MethodPlan> methods,
        ObjectNode json) {

    /** Top-level keys that are not training-recipe keys. */
    static final List<String> SHARED_KEYS = List.of("model", "data", "test_fraction", "split_seed", "max_train_samples",
            "max_eval_samples", "forgetting_sentences", "method_timeout_minutes", "child_heap");

    /** @return the {@link TrainingRecipe} JSON keys */
    static List<String> recipeKeys() {
        return Arrays.stream(TrainingRecipe.class.getRecordComponents())
                .map(component -> component.getAccessor().getAnnotation(JsonProperty.class).value()).toList();
    }

    /**
     * Merges and validates the layers of a comparison recipe.
     *
     * @param runtime the installed methods and the strict mapper
     * @param quick whether {@code --quick} was given
     * @param file the config file's object, or {@code null}
     * @param source the config file's name, for messages
     * @param selected the {@code --methods} names, or {@code null}
     * @return the validated recipe
     * @throws IllegalArgumentException naming the offending key or value and what is allowed, e.g.
     *     {@code compare.json: unknown key 'lrr'; known: [...]}, {@code methods.lora: lora.r must be > 0, got 0},
     *     {@code methods.lora: unknown key 'rr'; known: [...]}, {@code unknown method 'lorra'; known: [...]}
     */
    public static CompareRecipe read(PeftRuntime runtime, boolean quick, ObjectNode file, String source, List<String> selected) {
        return read(runtime, quick, file, source, selected, null);
    }

    /**
     * As {@link #read(PeftRuntime, boolean, ObjectNode, String, List)}, with recipe flags
     * ({@code --epochs 2}) on top of everything, for every method.
     *
     * @param runtime the installed methods and the strict mapper
     * @param quick whether {@code --quick} was given
     * @param file the config file's object, or {@code null}
     * @param source the config file's name, for messages
     * @param selected the {@code --methods} names, or {@code null}
     * @param flags {@link TrainingRecipe} keys from the command line, or {@code null}
     * @return the validated recipe
     * @throws IllegalArgumentException as above
     */
    public static CompareRecipe read(PeftRuntime runtime, boolean quick, ObjectNode file, String source, List<String> selected,
            ObjectNode flags) {
        ObjectMapper mapper = runtime.objectMapper();
        ObjectNode defaults = CompareDefaults.recipe(mapper);
        ObjectNode defaultMethods = (ObjectNode) defaults.remove("methods");
        List<String> recipeKeys = recipeKeys();
        ObjectNode fileMethods = null;
        ObjectNode top = defaults.deepCopy();
        if (quick) {
            top.setAll(CompareDefaults.quick(mapper));
        }
        if (file != null) {
            Set<String> known = new TreeSet<>(SHARED_KEYS);
            known.addAll(recipeKeys);
            known.add("methods");
            for (Map.Entry<String, JsonNode> field : file.properties()) {
                if (!known.contains(field.getKey())) {
                    throw new IllegalArgumentException(source + ": unknown key '" + field.getKey() + "'; known: " + known);
                }
            }
            ObjectNode copy = file.deepCopy();
            JsonNode methods = copy.remove("methods");
            if (methods != null && !methods.isObject()) {
                throw new IllegalArgumentException(source + ": methods must be an object from method name to its keys, got " + methods);
            }
            fileMethods = (ObjectNode) methods;
            top.setAll(copy);
        }
        Map<String, JsonNode> overrides = overridesByAlias(runtime, fileMethods, source);
        List<String> names = selected != null ? selected
                : fileMethods != null ? new ArrayList<>(overrides.keySet()) : iterable(defaultMethods.fieldNames());
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no methods to compare; name at least one (known: " + knownMethods(runtime) + ")");
        }
        Set<String> aliases = new LinkedHashSet<>();
        for (String name : names) {
            String alias = runtime.provider(name.trim()).alias();
            if (!aliases.add(alias)) {
                throw new IllegalArgumentException("method '" + alias + "' is named twice");
            }
        }
        requireValidShared(mapper, top, recipeKeys, source);
        if (flags != null) {
            for (Map.Entry<String, JsonNode> flag : flags.properties()) {
                ObjectNode withFlag = top.deepCopy();
                withFlag.set(flag.getKey(), flag.getValue());
                requireValidShared(mapper, withFlag, recipeKeys, "--" + flag.getKey().replace('_', '-'));
            }
            top.setAll(flags);
        }
        ObjectNode shared = top.deepCopy();
        shared.retain(recipeKeys);
        ObjectNode userShared = file == null ? mapper.createObjectNode() : file.deepCopy().retain(recipeKeys);
        List<MethodPlan> plans = new ArrayList<>();
        ObjectNode effective = top.deepCopy();
        ObjectNode effectiveMethods = effective.putObject("methods");
        Set<String> validated = new LinkedHashSet<>(aliases);
        validated.addAll(overrides.keySet());
        for (String alias : validated) {
            PeftMethodProvider<?> provider = runtime.provider(alias);
            ObjectNode merged = shared.deepCopy();
            JsonNode methodDefaults = defaultMethods.get(alias);
            if (methodDefaults != null) {
                merged.setAll((ObjectNode) methodDefaults);
            } else {
                merged.put("lr", TrainPreset.recipe(mapper, provider).get("lr").asDouble());
                merged.setAll((ObjectNode) TrainPreset.method(mapper, provider.peftType()).without("peft_type"));
            }
            merged.setAll(userShared);
            if (overrides.containsKey(alias)) {
                merged.setAll((ObjectNode) overrides.get(alias));
            }
            if (flags != null) {
                merged.setAll(flags);
            }
            MethodPlan plan = plan(runtime, provider, merged, recipeKeys);
            if (aliases.contains(alias)) {
                plans.add(plan);
                effectiveMethods.set(alias, merged);
            }
        }
        return new CompareRecipe(text(top, "model"), data(top.get("data")), fraction(top), integer(top, "split_seed", Long.MIN_VALUE),
                optionalPositive(top, "max_train_samples"), optionalPositive(top, "max_eval_samples"),
                Math.toIntExact(integer(top, "forgetting_sentences", 0)), Math.toIntExact(integer(top, "method_timeout_minutes", 1)),
                heap(top), plans, effective);
    }

    /**
     * Validates the recipe keys every method shares (defaults &lt; {@code --quick} &lt; the file's
     * top-level keys, and then each flag on top), before any method's keys are merged in, so that an
     * error names where the value came from.
     *
     * @throws IllegalArgumentException {@code compare.json: recipe.epochs must be > 0, got -1},
     *     {@code --epochs: recipe.epochs must be > 0, got 0}
     */
    private static void requireValidShared(ObjectMapper mapper, ObjectNode top, List<String> recipeKeys, String where) {
        ObjectNode shared = top.deepCopy().retain(recipeKeys);
        try {
            RecipeJson.read(mapper, shared);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static MethodPlan plan(PeftRuntime runtime, PeftMethodProvider<?> provider, ObjectNode merged, List<String> recipeKeys) {
        ObjectMapper mapper = runtime.objectMapper();
        String where = "methods." + provider.alias();
        List<String> configKeys = runtime.configKeys(provider.alias());
        ObjectNode config = mapper.createObjectNode().put("peft_type", provider.peftType());
        ObjectNode recipe = mapper.createObjectNode();
        for (Map.Entry<String, JsonNode> field : merged.properties()) {
            String key = field.getKey();
            if (recipeKeys.contains(key)) {
                recipe.set(key, field.getValue());
            } else if (configKeys.contains(key)) {
                config.set(key, field.getValue());
            } else if (!key.equals("peft_type")) {
                Set<String> known = new TreeSet<>(configKeys);
                known.addAll(recipeKeys);
                throw new IllegalArgumentException(where + ": unknown key '" + key + "'; known: " + known);
            }
        }
        try {
            runtime.readUserConfig(mapper.writeValueAsString(config));
            RecipeJson.read(mapper, recipe);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        return new MethodPlan(provider.alias(), provider.peftType(), config, recipe);
    }

    private static Map<String, JsonNode> overridesByAlias(PeftRuntime runtime, ObjectNode fileMethods, String source) {
        Map<String, JsonNode> byAlias = new LinkedHashMap<>();
        if (fileMethods == null) {
            return byAlias;
        }
        for (Map.Entry<String, JsonNode> field : fileMethods.properties()) {
            String alias = runtime.provider(field.getKey()).alias();
            JsonNode value = field.getValue();
            if (!value.isObject()) {
                throw new IllegalArgumentException(source + ": methods." + field.getKey() + " must be an object of keys, got " + value);
            }
            JsonNode type = value.get("peft_type");
            if (type != null && !runtime.provider(alias).peftType().equals(type.asText())) {
                throw new IllegalArgumentException(source + ": methods." + field.getKey() + " has peft_type '" + type.asText()
                        + "', but the method is " + runtime.provider(alias).peftType());
            }
            if (byAlias.put(alias, value) != null) {
                throw new IllegalArgumentException(source + ": method '" + alias + "' is named twice in methods");
            }
        }
        return byAlias;
    }

    private static List<String> knownMethods(PeftRuntime runtime) {
        return runtime.installed().stream().map(PeftMethodProvider::alias).sorted().toList();
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    private static String text(ObjectNode top, String key) {
        JsonNode value = top.get(key);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException(key + " must be a non-empty string, got " + value);
        }
        return value.asText();
    }

    private static JsonNode data(JsonNode value) {
        if (value != null && value.isTextual() && value.asText().equals(CompareDefaults.DATA)) {
            return value;
        }
        if (value != null && value.isObject()) {
            CompareData.requireKnownKeys((ObjectNode) value);
            return value;
        }
        throw new IllegalArgumentException("data must be \"" + CompareDefaults.DATA + "\" or an object {\"file\": ..., "
                + "\"text_column\": ..., \"label_column\": ...}, got " + value);
    }

    private static String heap(ObjectNode top) {
        JsonNode value = top.get("child_heap");
        if (value == null || !value.isTextual() || !value.asText().matches("\\d+[mMgG]")) {
            throw new IllegalArgumentException("child_heap must be a heap size such as \"512m\" or \"1g\", got " + value);
        }
        return value.asText();
    }

    private static double fraction(ObjectNode top) {
        JsonNode value = top.get("test_fraction");
        if (value == null || !value.isNumber() || !(value.asDouble() > 0 && value.asDouble() < 1)) {
            throw new IllegalArgumentException("test_fraction must be a number in (0, 1), got " + value);
        }
        return value.asDouble();
    }

    private static long integer(ObjectNode top, String key, long min) {
        JsonNode value = top.get(key);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < min
                || value.asLong() > Integer.MAX_VALUE && !key.equals("split_seed")) {
            throw new IllegalArgumentException(key + " must be an integer" + (min == Long.MIN_VALUE ? "" : " >= " + min)
                    + ", got " + value);
        }
        return value.asLong();
    }

    private static Integer optionalPositive(ObjectNode top, String key) {
        JsonNode value = top.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        return Math.toIntExact(integer(top, key, 1));
    }
}
