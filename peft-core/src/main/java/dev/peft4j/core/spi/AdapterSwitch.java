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
 * copy; the per-row routing of a mixed-adapter batch ({@link #rowAdapters()}) lives here too, per
 * thread, never in the layers' fields.
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

    /**
     * The adapter of each batch row for the forward pass the calling thread is running, or
     * {@code null} when the whole batch uses the active adapters. While set, a layer adds to each
     * group of rows the term of that rows' adapter (ignoring which adapters are active; rows of
     * {@link RowAdapters#BASE} get none), HF PEFT's {@code _mixed_batch_forward}. The routing is
     * per thread, set for the duration of one forward pass ({@code PeftModel.forward(batch,
     * adapterNames)}), so concurrent forward passes never see each other's rows. While adapters are
     * disabled ({@link #adaptersEnabled()} off) the base model computes for every row, as HF.
     * The default, for switches without routing: {@code null}.
     *
     * @return the rows' adapters, or {@code null}
     */
    default RowAdapters rowAdapters() {
        return null;
    }
}
