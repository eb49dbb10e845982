package dev.peft4j.core.runtime;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The read-write lock of one {@link PeftModel}: forward passes share it (any number run at once, on
 * any threads), adapter management holds it alone ({@code addAdapter}, {@code loadAdapter},
 * {@code setActiveAdapter(s)}, {@code deleteAdapter}, merging, {@code close}), so a change waits
 * until the running forward passes have finished and no forward pass starts before it is complete:
 * a forward pass sees the adapters either before or after a change, never half of it. Reentrant: a
 * thread that manages may also run forward passes. Writers are not starved (a waiting writer makes
 * new readers queue behind it).
 */
final class AdapterLock {

    /** An action that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    /**
     * @param action a forward pass or another read of the adapters
     * @param <T> its result
     * @return its result
     */
    <T> T read(Supplier<T> action) {
        lock.readLock().lock();
        try {
            return action.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * @param action a change of the adapters
     */
    void write(Runnable action) {
        lock.writeLock().lock();
        try {
            action.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * @param action a change of the adapters with a result
     * @param <T> its result
     * @return its result
     */
    <T> T exclusive(Supplier<T> action) {
        lock.writeLock().lock();
        try {
            return action.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * @param action a change of the adapters that reads files
     * @throws IOException if the action fails so
     */
    void writeIo(IoAction action) throws IOException {
        lock.writeLock().lock();
        try {
            action.run();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
