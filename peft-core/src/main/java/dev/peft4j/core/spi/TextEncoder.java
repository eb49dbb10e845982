package dev.peft4j.core.spi;

/**
 * The base model's tokenizer as a method sees it: text to token ids, as HF's
 * {@code tokenizer(text)["input_ids"]} (special tokens included). Methods whose initialisation
 * starts from text (prompt tuning's {@code prompt_tuning_init: TEXT}) get it through
 * {@link InjectionContext#textEncoder()}.
 */
@FunctionalInterface
public interface TextEncoder {

    /**
     * @param text the text
     * @return its token ids, in order
     */
    long[] encode(String text);
}
