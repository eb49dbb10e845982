package dev.peft4j.core.model;

import dev.peft4j.core.spi.AdapterSwitch;

/**
 * The model-wide {@link AdapterSwitch}, turned off by nested {@link #disable()} scopes: adapters
 * apply again only when every scope has closed, also when a scope's body threw. Not thread-safe:
 * one model is driven by one thread.
 */
public final class AdapterToggle implements AdapterSwitch {

    private int disabledDepth;

    @Override
    public boolean adaptersEnabled() {
        return disabledDepth == 0;
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
