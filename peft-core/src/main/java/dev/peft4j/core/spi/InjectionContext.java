package dev.peft4j.core.spi;

/**
 * What a {@link PeftMethod} needs to inject one adapter.
 *
 * @param model the model to adapt in place; its base parameters are already frozen
 * @param adapterName the adapter's name ({@code default} unless the user names it)
 * @param origin who wrote the config, which decides how strictly module entries are checked
 */
public record InjectionContext(AdaptableModel model, String adapterName, ConfigOrigin origin) {

    /** HF PEFT's name for the first adapter. */
    public static final String DEFAULT_ADAPTER = "default";
}
