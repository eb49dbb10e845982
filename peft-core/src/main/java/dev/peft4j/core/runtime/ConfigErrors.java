package dev.peft4j.core.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Turns Jackson's failures into short messages that name the key, the value and what is allowed. */
final class ConfigErrors {

    private ConfigErrors() {}

    /** A parse failure: {@code malformed config JSON at line 3, column 7: Duplicate field 'r'}. */
    static InvalidConfigException malformed(JsonProcessingException e) {
        var location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new InvalidConfigException("malformed config JSON" + where + ": " + e.getOriginalMessage(), e);
    }

    /**
     * A binding failure of {@code tree} into the config of {@code peftType}.
     *
     * @param mapper the mapper used, to name enum values as JSON writes them
     */
    static InvalidConfigException binding(DatabindException e, JsonNode tree, String peftType, ObjectMapper mapper) {
        if (e instanceof ValueInstantiationException && e.getCause() instanceof RuntimeException cause
                && cause.getMessage() != null) {
            return new InvalidConfigException(cause.getMessage(), cause);
        }
        String key = path(e instanceof JsonMappingException m ? m.getPath() : List.of());
        if (e instanceof UnrecognizedPropertyException u) {
            return new InvalidConfigException("unknown key '" + key + "' in " + peftType + " config; known: "
                    + sorted(u.getKnownPropertyIds()), e);
        }
        if (e instanceof MismatchedInputException m && !key.isEmpty()) {
            JsonNode value = tree.at(pointer(m.getPath()));
            return new InvalidConfigException("key '" + key + "' in " + peftType + " config must be "
                    + expected(m, mapper) + ", got " + JsonValues.show(value), e);
        }
        return new InvalidConfigException("invalid " + peftType + " config: " + e.getOriginalMessage(), e);
    }

    private static String expected(MismatchedInputException e, ObjectMapper mapper) {
        Class<?> type = e.getTargetType();
        if (type == null) {
            return "of another type";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants())
                    .map(constant -> mapper.valueToTree(constant).asText())
                    .sorted()
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a " + type.getSimpleName();
    }

    /** @return {@code target_modules[1]} style path of the failing value, empty at the top level */
    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String pointer(List<JsonMappingException.Reference> refs) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                out.append('/').append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else if (ref.getIndex() >= 0) {
                out.append('/').append(ref.getIndex());
            }
        }
        return out.toString();
    }

    private static String sorted(Collection<Object> names) {
        return new TreeSet<>(names.stream().map(String::valueOf).toList()).toString();
    }
}
