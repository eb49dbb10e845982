/**
 * Prefix tuning (Li and Liang 2021) and prompt tuning (Lester et al. 2021), plugged in through
 * {@link dev.peft4j.core.spi.PeftMethodProvider}: the configs ({@link dev.peft4j.prefix.PrefixTuningConfig},
 * {@link dev.peft4j.prefix.PromptTuningConfig}, HF PEFT's keys), the trainable blocks attached to the
 * encoder as HF's {@code prompt_encoder} ({@link dev.peft4j.prefix.PrefixEncoder} supplying per-layer
 * key/value prefixes, {@link dev.peft4j.prefix.PromptEmbedding} supplying virtual token embeddings),
 * the methods and the providers ({@code PREFIX_TUNING} / {@code prefix}, {@code PROMPT_TUNING} /
 * {@code prompt}). The model side is peft-core's extension points
 * {@link dev.peft4j.core.model.KeyValuePrefix} and {@link dev.peft4j.core.model.SoftPrompt}.
 */
package dev.peft4j.prefix;
