package dev.peft4j.core.spi;

/**
 * Who wrote a configuration, which decides how strictly its module lists are checked.
 */
public enum ConfigOrigin {
    /**
     * Written by a user ({@code --config}, flags, code): every {@code target_modules} and
     * {@code modules_to_save} entry must match at least one module.
     */
    USER,
    /**
     * Written by HF PEFT or saved with an adapter: at least one match overall is enough (HF's
     * SEQ_CLS configs list {@code ["classifier", "score"]} for every architecture).
     */
    CHECKPOINT
}
