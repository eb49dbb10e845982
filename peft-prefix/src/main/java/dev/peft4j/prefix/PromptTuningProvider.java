package dev.peft4j.prefix;

import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Provides prompt tuning ({@code peft_type} {@code PROMPT_TUNING}, alias {@code prompt}),
 * discovered through {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}.
 */
public final class PromptTuningProvider implements PeftMethodProvider<PromptTuningConfig> {

    /** The CLI name of prompt tuning. */
    public static final String ALIAS = "prompt";

    /** See {@link #recommendedLearningRate()}. */
    public static final double RECOMMENDED_LEARNING_RATE = 3e-2;

    @Override
    public String peftType() {
        return PromptTuningConfig.PEFT_TYPE;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public Class<PromptTuningConfig> configType() {
        return PromptTuningConfig.class;
    }

    @Override
    public PromptTuningMethod create(PromptTuningConfig config) {
        return new PromptTuningMethod(config);
    }

    /**
     * {@code tokenizer_name_or_path} and {@code tokenizer_kwargs}: HF loads the tokenizer for
     * {@code TEXT} initialisation by name; peft4j takes the tokenizer from the caller, so both are
     * provenance only.
     *
     * @return the key names
     */
    @Override
    public Set<String> hfInformationalKeys() {
        return Set.of("tokenizer_name_or_path", "tokenizer_kwargs");
    }

    @Override
    public String description() {
        return "prompt tuning: trained virtual token embeddings prepended to the input (init RANDOM, TEXT or SAMPLE_VOCAB)";
    }

    /**
     * AdamW learning rate on the standard recipe: 3e-2, the top of the range HF PEFT's
     * prompt-tuning examples use (1e-2 .. 3e-2), kept after a short MiniLM run (see the README).
     */
    @Override
    public OptionalDouble recommendedLearningRate() {
        return OptionalDouble.of(RECOMMENDED_LEARNING_RATE);
    }

    /** @return {@link PromptTuningMemoryModel} */
    @Override
    public java.util.Optional<dev.peft4j.core.spi.MemoryModel<PromptTuningConfig>> memoryModel() {
        return java.util.Optional.of(new PromptTuningMemoryModel());
    }
}
