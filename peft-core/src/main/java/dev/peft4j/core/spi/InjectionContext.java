package dev.peft4j.core.spi;

/**
 * What a {@link PeftMethod} needs to inject one adapter.
 *
 * @param model the model to adapt in place; its base parameters are already frozen
 * @param adapterName the adapter's name ({@code default} unless the user names it)
 * @param origin who wrote the config, which decides how strictly module entries are checked
 * @param textEncoder the base model's tokenizer, for initialisations that start from text (prompt
 *     tuning's {@code TEXT}); {@code null} when the caller gave none
 */
public record InjectionContext(AdaptableModel model, String adapterName, ConfigOrigin origin, TextEncoder textEncoder) {

    /** HF PEFT's name for the first adapter. */
    public static final String DEFAULT_ADAPTER = "default";

    /**
     * A context without a tokenizer.
     *
     * @param model the model to adapt in place
     * @param adapterName the adapter's name
     * @param origin who wrote the config
     */
    public InjectionContext(AdaptableModel model, String adapterName, ConfigOrigin origin) {
        this(model, adapterName, origin, null);
    }
}
