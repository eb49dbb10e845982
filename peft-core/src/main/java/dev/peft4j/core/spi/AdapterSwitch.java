package dev.peft4j.core.spi;

import java.util.List;

/**
 * Whether injected adapter blocks are applied, and which adapters are active. Every block a
 * method injects consults the switch of its model in its forward pass: it computes exactly the
 * base block while {@link #adaptersEnabled()} is off (HF PEFT's {@code disable_adapter()} context)
 * and otherwise adds the contribution of each adapter it holds for which {@link #isActive} answers
 * {@code true} (HF PEFT's {@code active_adapters}).
 *
 * <p>This switch is the one place that holds the active adapters; layers never keep their own
 * copy, so routing that picks adapters per batch row can later be added here (as further default
 * methods) without touching the layers' state.
 */
public interface AdapterSwitch {

    /** @return {@code true} while adapters are applied */
    boolean adaptersEnabled();

    /**
     * Whether the adapter named {@code adapterName} contributes to the forward pass now. The default,
     * for switches that know nothing of names, is {@link #adaptersEnabled()}: every adapter is active.
     *
     * @param adapterName an adapter's name ({@code default} unless named)
     * @return {@code true} if adapters are enabled and the adapter is active
     */
    default boolean isActive(String adapterName) {
        return adaptersEnabled();
    }

    /**
     * The active adapters in activation order (HF PEFT's {@code active_adapters}), whether or not
     * adapters are currently disabled. The default, for switches that know nothing of names, is an
     * empty list, meaning every adapter is active (see {@link #isActive}).
     *
     * @return an unmodifiable list
     */
    default List<String> activeAdapters() {
        return List.of();
    }
}
