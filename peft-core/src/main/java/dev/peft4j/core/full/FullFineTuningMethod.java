package dev.peft4j.core.full;

import dev.peft4j.core.spi.AdaptableModel;
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
     * @param model the model to train in full
     * @throws NullPointerException if {@code model} is null
     */
    @Override
    public void apply(AdaptableModel model) {
        Objects.requireNonNull(model, "model");
    }

    /** @return {@code false}: every base parameter is trained */
    @Override
    public boolean freezesBaseModel() {
        return false;
    }
}
