package dev.peft4j.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;

/** Small helpers on JSON values for config messages and HF default checks. */
final class JsonValues {

    private static final int MAX_SHOWN = 80;

    /** Equal when both are numbers of the same value ({@code 0 == 0.0}), else by JSON equality. */
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonValues() {}

    /** @return whether {@code actual} equals {@code expected}, numbers compared by value */
    static boolean sameValue(JsonNode expected, JsonNode actual) {
        return expected.equals(NUMBERS_BY_VALUE, actual);
    }

    /** @return whether the value asks for nothing: {@code null}, {@code false}, {@code ""}, {@code []} or {@code {}} */
    static boolean isEmpty(JsonNode value) {
        return value.isNull()
                || (value.isBoolean() && !value.booleanValue())
                || (value.isTextual() && value.textValue().isEmpty())
                || (value.isContainerNode() && value.isEmpty());
    }

    /** @return the value as compact JSON ({@code true}, {@code "x"}, {@code [1,2]}), cut after 80 characters */
    static String show(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        String text = value.toString();
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...";
    }
}
