package dev.peft4j.core.contract;

import java.util.Objects;

/**
 * A user config that a method must reject, with the exact message, for
 * {@link PeftMethodContractTest#invalidConfigs()}.
 *
 * @param members the JSON members after {@code peft_type}, e.g. {@code "r": 0} (empty for none)
 * @param message the exact message of the {@code InvalidConfigException} the strict reader throws,
 *     e.g. {@code lora.r must be > 0, got 0}
 */
public record InvalidConfig(String members, String message) {

    /** Rejects nulls. */
    public InvalidConfig {
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(message, "message");
    }

    /**
     * @param members the JSON members after {@code peft_type}
     * @param message the exact message
     * @return the case
     */
    public static InvalidConfig of(String members, String message) {
        return new InvalidConfig(members, message);
    }

    /**
     * @param peftType the method's {@code peft_type}
     * @return the whole JSON object
     */
    public String json(String peftType) {
        return "{\"peft_type\": \"" + peftType + "\"" + (members.isBlank() ? "" : ", " + members) + "}";
    }
}
