package dev.peft4j.core.model;

import dev.peft4j.core.spi.AdapterSwitch;
import java.util.List;

/**
 * The model-wide {@link AdapterSwitch}: the one place that holds which adapters are active (set by
 * {@link #setActiveAdapters}, HF PEFT's {@code set_adapter}), turned off as a whole by nested
 * {@link #disable()} scopes: adapters apply again only when every scope has closed, also when a
 * scope's body threw. Until active adapters are set every adapter counts as active (a model adapted
 * by one method without a {@code PeftModel}). Not thread-safe for changes: one model is driven by
 * one thread; the active list is published as one immutable list.
 */
public final class AdapterToggle implements AdapterSwitch {

    private int disabledDepth;
    private volatile List<String> active;

    @Override
    public boolean adaptersEnabled() {
        return disabledDepth == 0;
    }

    @Override
    public boolean isActive(String adapterName) {
        List<String> names = active;
        return adaptersEnabled() && (names == null || names.contains(adapterName));
    }

    @Override
    public List<String> activeAdapters() {
        List<String> names = active;
        return names == null ? List.of() : names;
    }

    /**
     * Sets the active adapters; the names are checked by the caller ({@code PeftModel}).
     *
     * @param adapterNames the adapters that compute from now on, in order; may be empty (none)
     */
    public void setActiveAdapters(List<String> adapterNames) {
        this.active = List.copyOf(adapterNames);
    }

    /**
     * Disables adapters until the returned scope closes (use try-with-resources).
     *
     * @return the scope; closing it twice has no further effect
     */
    public Scope disable() {
        disabledDepth++;
        return new Scope();
    }

    /** A disable scope; {@link #close()} re-enables adapters once all scopes are closed. */
    public final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {}

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                disabledDepth--;
            }
        }
    }
}
