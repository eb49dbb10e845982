package dev.peft4j.core.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Validated reads of an HF {@code config.json}: every message names the file's field, the bad value
 * and what is allowed ({@code config.json (llama) hidden_size must be > 0, got 0}).
 */
final class HfConfigFields {

    private final JsonNode json;
    private final String source;
    private final String family;

    HfConfigFields(JsonNode json, String source, String family) {
        this.json = json;
        this.source = source;
        this.family = family;
    }

    /**
     * @param field a required positive integer field
     * @return its value
     * @throws IllegalArgumentException if it is missing, not an integer, or not positive
     */
    int positive(String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException(source + " (" + family + ") is missing '" + field + "'");
        }
        return check(field, node);
    }

    /**
     * @param field an optional positive integer field; JSON {@code null} counts as absent
     * @param fallback the value when absent
     * @return the value
     * @throws IllegalArgumentException if present and not a positive integer
     */
    int positiveOr(String field, int fallback) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? fallback : check(field, node);
    }

    /**
     * @param field the required layer count
     * @return its value, at most {@link HfModelShapes#MAX_LAYERS}
     * @throws IllegalArgumentException {@code config.json (llama) num_hidden_layers must be <= 1000, got 1000000}
     */
    int layers(String field) {
        int value = positive(field);
        if (value > HfModelShapes.MAX_LAYERS) {
            throw new IllegalArgumentException(source + " (" + family + ") " + field + " must be <= " + HfModelShapes.MAX_LAYERS
                    + " (the planner lists every layer), got " + value);
        }
        return value;
    }

    private int check(String field, JsonNode node) {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException(source + " (" + family + ") " + field + " must be a positive integer, got " + node);
        }
        int value = node.intValue();
        if (value <= 0) {
            throw new IllegalArgumentException(source + " (" + family + ") " + field + " must be > 0, got " + value);
        }
        return value;
    }

    /**
     * @param field a field name
     * @return whether the config gives it a non-null value
     */
    boolean has(String field) {
        JsonNode node = json.get(field);
        return node != null && !node.isNull();
    }

    /**
     * @param field an optional boolean
     * @param fallback the value when absent
     * @return the value
     * @throws IllegalArgumentException if present and not a boolean
     */
    boolean flag(String field, boolean fallback) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(source + " (" + family + ") " + field + " must be true or false, got " + node);
        }
        return node.booleanValue();
    }

    /**
     * @param field an optional probability
     * @param fallback the value when absent
     * @return the value in {@code [0, 1)}
     * @throws IllegalArgumentException if present and outside {@code [0, 1)}
     */
    double probability(String field, double fallback) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        double value = node.asDouble(Double.NaN);
        if (!node.isNumber() || !(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(source + " (" + family + ") " + field + " must be in [0, 1), got " + node);
        }
        return value;
    }

    /**
     * @param total the divided size's field and value
     * @param totalValue its value
     * @param parts the divisor's field
     * @param partsValue its value
     * @throws IllegalArgumentException {@code config.json (llama) hidden_size (4096) must be divisible by num_attention_heads (3)}
     */
    void divisible(String total, int totalValue, String parts, int partsValue) {
        if (totalValue % partsValue != 0) {
            throw new IllegalArgumentException(source + " (" + family + ") " + total + " (" + totalValue
                    + ") must be divisible by " + parts + " (" + partsValue + ")");
        }
    }
}
