package dev.peft4j.core.full;

import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftMethod;
import java.util.Objects;

/**
 * Full fine-tuning: the base model is not frozen ({@link #freezesBaseModel()} is {@code false})
 * and nothing is injected, so every parameter stays trainable — what HF transformers' {@code Trainer}
 * does without PEFT.
 */
public final class FullFineTuningMethod implements PeftMethod {

    private final FullFineTuningConfig config;

    /**
     * @param config the (empty) configuration
     * @throws NullPointerException if {@code config} is null
     */
    public FullFineTuningMethod(FullFineTuningConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public FullFineTuningConfig config() {
        return config;
    }

    /**
     * Leaves the model unchanged.
     *
     * @param context the model to train in full
     * @throws NullPointerException if {@code context} is null
     */
    @Override
    public void apply(InjectionContext context) {
        Objects.requireNonNull(context, "context");
    }

    /** @return {@code false}: every base parameter is trained */
    @Override
    public boolean freezesBaseModel() {
        return false;
    }
}
