package dev.peft4j.core.full;

import dev.peft4j.core.spi.PeftConfig;

/**
 * The configuration of full fine-tuning, the baseline every PEFT method is compared with:
 * {@code {"peft_type": "FULL"}}. It has no keys: every parameter of the model is trained.
 *
 * <p>HF PEFT has no such method; {@code FULL} is peft4j's own {@code peft_type} (alias
 * {@code full}). {@link #modulesToSave()} stays empty because everything is trained and saved.
 */
public record FullFineTuningConfig() implements PeftConfig {}
