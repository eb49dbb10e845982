package dev.peft4j.prefix;

import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Provides prefix tuning ({@code peft_type} {@code PREFIX_TUNING}, alias {@code prefix}),
 * discovered through {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}.
 */
public final class PrefixTuningProvider implements PeftMethodProvider<PrefixTuningConfig> {

    /** The CLI name of prefix tuning. */
    public static final String ALIAS = "prefix";

    /** See {@link #recommendedLearningRate()}. */
    public static final double RECOMMENDED_LEARNING_RATE = 1e-2;

    @Override
    public String peftType() {
        return PrefixTuningConfig.PEFT_TYPE;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public Class<PrefixTuningConfig> configType() {
        return PrefixTuningConfig.class;
    }

    @Override
    public PrefixTuningMethod create(PrefixTuningConfig config) {
        return new PrefixTuningMethod(config);
    }

    /**
     * HF PEFT's {@code PrefixTuningConfig} keys this config does not model: {@code init_weights}
     * ({@code "zero"} starts the prefix at zero; only HF's default {@code null}, random, is
     * implemented).
     *
     * @return key to HF default
     */
    @Override
    public Map<String, Object> hfIgnorableDefaults() {
        Map<String, Object> keys = new HashMap<>();
        keys.put("init_weights", null);
        return Collections.unmodifiableMap(keys);
    }

    @Override
    public String description() {
        return "prefix tuning: trained key/value prefixes in every attention layer (prefix_projection for the MLP reparameterisation)";
    }

    /**
     * AdamW learning rate on the standard recipe: 1e-2, the rate HF PEFT's prefix-tuning examples
     * use without projection, kept after a short MiniLM run (see the README).
     */
    @Override
    public OptionalDouble recommendedLearningRate() {
        return OptionalDouble.of(RECOMMENDED_LEARNING_RATE);
    }

    /** @return {@link PrefixTuningMemoryModel} */
    @Override
    public java.util.Optional<dev.peft4j.core.spi.MemoryModel<PrefixTuningConfig>> memoryModel() {
        return java.util.Optional.of(new PrefixTuningMemoryModel());
    }
}
