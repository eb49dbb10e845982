package dev.peft4j.core.spi;

/**
 * Whether injected adapter blocks are applied. Every block a method injects consults the switch
 * of its model in its forward pass and computes exactly the base block while it is off (HF PEFT's
 * {@code disable_adapter()} context).
 */
public interface AdapterSwitch {

    /** @return {@code true} while adapters are applied */
    boolean adaptersEnabled();
}
