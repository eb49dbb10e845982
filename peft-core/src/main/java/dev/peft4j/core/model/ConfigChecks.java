package dev.peft4j.core.model;

/**
 * Validation shared by the model configuration records. Every message names the family, the HF
 * key, the bad value and what is allowed: {@code llama.hidden_size must be > 0, got 0}.
 */
final class ConfigChecks {

    private ConfigChecks() {}

    static void positive(String family, String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(family + "." + key + " must be > 0, got " + value);
        }
    }

    static void positive(String family, String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(family + "." + key + " must be > 0 and finite, got " + value);
        }
    }

    static void probability(String family, String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(family + "." + key + " must be in [0, 1), got " + value);
        }
    }

    static void divisible(String family, String total, int totalValue, String parts, int partsValue) {
        if (totalValue % partsValue != 0) {
            throw new IllegalArgumentException(family + "." + total + " (" + totalValue + ") must be divisible by "
                    + parts + " (" + partsValue + ")");
        }
    }

    static void oneOf(String family, String key, String value, java.util.List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(family + "." + key + " '" + value + "' is not supported; supported: " + allowed);
        }
    }
}
