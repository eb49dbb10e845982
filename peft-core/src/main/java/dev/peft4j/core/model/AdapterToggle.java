package dev.peft4j.core.model;

import dev.peft4j.core.spi.AdapterSwitch;
import dev.peft4j.core.spi.RowAdapters;
import java.util.List;

/**
 * The model-wide {@link AdapterSwitch}: the one place that holds which adapters are active (set by
 * {@link #setActiveAdapters}, HF PEFT's {@code set_adapter}), turned off as a whole by nested
 * {@link #disable()} scopes: adapters apply again only when every scope has closed, also when a
 * scope's body threw. Until active adapters are set every adapter counts as active (a model adapted
 * by one method without a {@code PeftModel}). Not thread-safe for changes: {@code PeftModel}
 * serialises them against running forward passes; the active list is published as one immutable
 * list. The per-row routing of a mixed-adapter batch ({@link #routeRows}) is held per thread.
 */
public final class AdapterToggle implements AdapterSwitch {

    private int disabledDepth;
    private volatile List<String> active;
    private final ThreadLocal<RowAdapters> rows = new ThreadLocal<>();

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

    @Override
    public RowAdapters rowAdapters() {
        return rows.get();
    }

    /**
     * Routes the rows of the forward passes the calling thread runs until the returned scope
     * closes (use try-with-resources on the same thread); other threads are not affected.
     *
     * @param rowAdapters each row's adapter
     * @return the scope; closing it twice has no further effect
     * @throws IllegalStateException if this thread already routes rows (scopes do not nest)
     */
    public RowScope routeRows(RowAdapters rowAdapters) {
        if (rows.get() != null) {
            throw new IllegalStateException("this thread already runs a mixed-adapter batch " + rows.get().names()
                    + "; mixed-adapter forward passes do not nest");
        }
        rows.set(rowAdapters);
        return new RowScope();
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

    /** A row-routing scope of one thread; {@link #close()} ends the routing. */
    public final class RowScope implements AutoCloseable {
        private boolean closed;

        private RowScope() {}

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                rows.remove();
            }
        }
    }
}
