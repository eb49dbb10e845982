package dev.peft4j.core.generate;

/** Why a generated row ended (HF text-generation's {@code finish_reason}). */
public enum FinishReason {
    /** The row produced one of the stop tokens ({@code eos_token_id}); it is the row's last token. */
    STOP_TOKEN,
    /** The row reached {@code max_new_tokens} without a stop token. */
    LENGTH
}
