package dev.peft4j.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.peft4j.core.target.TargetModules;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Command-line options generated from a record's JSON keys (a method's config, the training
 * recipe): every key becomes the same name in kebab-case ({@code lora_alpha -> --lora-alpha}), so
 * a new method gets its flags without CLI code. A {@code --target-modules} value with regex
 * metacharacters ({@code *+?()[]{}|^$\}) is a regex string full-matched against module paths, as an HF
 * string; otherwise it is a list of names. Values are read as JSON where they parse as JSON ({@code 8}, {@code true},
 * {@code ["query","value"]}); list-valued keys also take comma-separated names
 * ({@code --target-modules query,value}); anything else is a string. Types are then checked by the
 * strict config reader, whose messages name the key.
 */
final class RecordFlags {

    /**
     * Characters that make a {@code --target-modules} value a regex (HF: a string is full-matched
     * against module paths), not a comma-separated list of names; {@code .} is left out since
     * names may be dotted paths ({@code attention.self.query}).
     */
    private static final java.util.regex.Pattern REGEX_METACHARACTERS = java.util.regex.Pattern.compile("[*+?()\\[\\]{}|^$\\\\]");

    private static final java.util.Set<Class<?>> WHOLE = java.util.Set.of(int.class, long.class, short.class, Integer.class,
            Long.class, Short.class);
    private static final java.util.Set<Class<?>> FRACTIONAL = java.util.Set.of(double.class, float.class, Double.class, Float.class);

    private final ObjectMapper mapper;
    private final String owner;
    private final Map<String, JavaType> keyTypes = new LinkedHashMap<>();

    /**
     * @param mapper the mapper that reads the record (its naming strategy decides the keys)
     * @param recordType the record whose components become options
     * @param owner what the options belong to, for messages ({@code method 'lora'})
     */
    RecordFlags(ObjectMapper mapper, Class<?> recordType, String owner) {
        this.mapper = mapper;
        this.owner = owner;
        BeanDescription description = mapper.getDeserializationConfig().introspect(mapper.constructType(recordType));
        for (BeanPropertyDefinition property : description.findProperties()) {
            if (property.couldDeserialize() && !property.getName().equals("peft_type")) {
                keyTypes.put(property.getName(), property.getPrimaryType());
            }
        }
    }

    /** @return the JSON keys, e.g. {@code lora_alpha} */
    java.util.Set<String> keys() {
        return keyTypes.keySet();
    }

    /** @return the option names, e.g. {@code --lora-alpha}, in key order */
    List<String> optionNames() {
        return keyTypes.keySet().stream().map(RecordFlags::optionName).sorted().toList();
    }

    static String optionName(String jsonKey) {
        return "--" + jsonKey.replace('_', '-');
    }

    /** @return whether {@code option} (e.g. {@code --lora-alpha}) is one of these flags */
    boolean accepts(String option) {
        return optionNames().contains(option);
    }

    /**
     * Parses flags into a JSON object of record keys.
     *
     * @param args {@code --name value} pairs (or {@code --name=value})
     * @return the keys the flags set
     * @throws IllegalArgumentException for an option the record does not have, listing them
     */
    ObjectNode parse(List<String> args) {
        CommandSpec spec = CommandSpec.create().name(owner);
        Map<OptionSpec, String> keysByOption = new LinkedHashMap<>();
        keyTypes.forEach((key, type) -> {
            OptionSpec option = OptionSpec.builder(optionName(key)).arity("1").type(String.class)
                    .paramLabel(key.toUpperCase(Locale.ROOT)).build();
            spec.addOption(option);
            keysByOption.put(option, key);
        });
        CommandLine parser = new CommandLine(spec);
        ObjectNode values = mapper.createObjectNode();
        try {
            ParseResult result = parser.parseArgs(args.toArray(String[]::new));
            for (OptionSpec option : result.matchedOptions()) {
                String key = keysByOption.get(option);
                values.set(key, toJson(key, option.getValue(), keyTypes.get(key)));
            }
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw new IllegalArgumentException("unknown option(s) " + e.getUnmatched() + " for " + owner
                    + "; its options: " + optionNames());
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (an option of " + owner + ")");
        }
        return values;
    }

    private JsonNode number(String key, String raw, boolean whole) {
        try {
            JsonNode parsed = mapper.readTree(raw);
            if (parsed != null && parsed.isNumber() && (!whole || parsed.canConvertToLong() && parsed.isIntegralNumber())
                    && Double.isFinite(parsed.asDouble())) {
                return parsed;
            }
        } catch (JsonProcessingException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException(optionName(key) + " must be " + (whole ? "a whole number" : "a finite number")
                + ", got " + raw);
    }

    private JsonNode toJson(String key, String raw, JavaType type) {
        boolean listLike = type.isCollectionLikeType() || type.hasRawClass(TargetModules.class);
        if (listLike && TargetModules.ALL_LINEAR.equals(raw)) {
            return TextNode.valueOf(raw);
        }
        if (type.hasRawClass(TargetModules.class) && REGEX_METACHARACTERS.matcher(raw).find() && !raw.startsWith("[")) {
            return TextNode.valueOf(raw);
        }
        Class<?> rawClass = type.getRawClass();
        if (WHOLE.contains(rawClass) || FRACTIONAL.contains(rawClass)) {
            return number(key, raw, WHOLE.contains(rawClass));
        }
        try {
            JsonNode parsed = mapper.readTree(raw);
            if (parsed != null && !parsed.isMissingNode() && !(listLike && parsed.isTextual())) {
                return parsed;
            }
        } catch (JsonProcessingException notJson) {
            // a bare word: a string, or a comma-separated list for list-valued keys
        }
        if (listLike) {
            ArrayNode array = mapper.createArrayNode();
            Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(array::add);
            return array;
        }
        return TextNode.valueOf(raw);
    }
}
