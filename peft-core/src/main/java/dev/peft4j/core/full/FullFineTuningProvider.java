package dev.peft4j.core.full;

import dev.peft4j.core.spi.PeftMethodProvider;

/**
 * Provides full fine-tuning ({@code peft_type} {@code FULL}, alias {@code full}), built into
 * peft-core and discovered like any other method through
 * {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}.
 */
public final class FullFineTuningProvider implements PeftMethodProvider<FullFineTuningConfig> {

    /** The {@code peft_type} of full fine-tuning (peft4j's own; HF PEFT has none). */
    public static final String PEFT_TYPE = "FULL";

    /** The CLI name of full fine-tuning. */
    public static final String ALIAS = "full";

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public Class<FullFineTuningConfig> configType() {
        return FullFineTuningConfig.class;
    }

    @Override
    public FullFineTuningMethod create(FullFineTuningConfig config) {
        return new FullFineTuningMethod(config);
    }

    @Override
    public String description() {
        return "full fine-tuning: every parameter trainable (baseline)";
    }

    /** @return 5e-5: every weight moves, so full fine-tuning wants a tenth of LoRA's rate */
    @Override
    public java.util.OptionalDouble recommendedLearningRate() {
        return java.util.OptionalDouble.of(5e-5);
    }

    /** @return {@link FullFineTuningMemoryModel}: every base parameter trainable */
    @Override
    public java.util.Optional<dev.peft4j.core.spi.MemoryModel<FullFineTuningConfig>> memoryModel() {
        return java.util.Optional.of(new FullFineTuningMemoryModel());
    }
}
