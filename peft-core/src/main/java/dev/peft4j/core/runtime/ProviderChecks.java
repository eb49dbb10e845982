package dev.peft4j.core.runtime;

import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.lang.reflect.Modifier;
import java.util.regex.Pattern;

/** Validates what one provider declares before the registry accepts it. */
final class ProviderChecks {

    /** HF's {@code peft_type} values are upper-case; digits occur ({@code IA3}, {@code C3A}). */
    static final Pattern PEFT_TYPE = Pattern.compile("[A-Z][A-Z0-9_]*");

    static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9-]*");

    private ProviderChecks() {}

    /**
     * @throws IllegalArgumentException naming the provider class, the bad value and the rule
     */
    static void check(PeftMethodProvider<?> provider) {
        if (provider == null) {
            throw new IllegalArgumentException("provider list contains null");
        }
        String owner = provider.getClass().getName();
        String peftType = provider.peftType();
        if (peftType == null || !PEFT_TYPE.matcher(peftType).matches()) {
            throw new IllegalArgumentException("provider " + owner + ": peftType() " + quote(peftType)
                    + " must be upper-case letters, digits and underscores starting with a letter ("
                    + PEFT_TYPE.pattern() + ")");
        }
        String alias = provider.alias();
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new IllegalArgumentException("provider " + owner + ": alias() " + quote(alias)
                    + " must be lower-case letters, digits and hyphens starting with a letter ("
                    + ALIAS.pattern() + ")");
        }
        Class<?> configType = provider.configType();
        if (configType == null) {
            throw new IllegalArgumentException("provider " + owner + ": configType() returned null");
        }
        if (!PeftConfig.class.isAssignableFrom(configType)
                || configType.isInterface()
                || Modifier.isAbstract(configType.getModifiers())) {
            throw new IllegalArgumentException("provider " + owner + ": configType() " + configType.getName()
                    + " must be a concrete class implementing " + PeftConfig.class.getName());
        }
    }

    private static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
