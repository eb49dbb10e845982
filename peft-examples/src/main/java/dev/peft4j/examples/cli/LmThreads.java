package dev.peft4j.examples.cli;

/**
 * The PyTorch intra-op thread count of {@code peft pretrain-lm} and {@code peft compare-lm}: the
 * decoder example's small matmuls run 1.5 to 14 times faster on one thread than on two (measured
 * on the 2-core machine: 912 against 12,826 ms per pre-training update while other builds ran, as
 * OpenMP's waiting threads spin on a loaded machine), so these commands default to 1. Set before
 * DJL's engine starts; the child JVMs inherit it ({@link dev.peft4j.examples.bench.ChildJvm}).
 */
final class LmThreads {

    /** DJL's system property for PyTorch's intra-op threads. */
    static final String PROPERTY = "ai.djl.pytorch.num_threads";

    private LmThreads() {}

    /**
     * @param threads the thread count, {@code 1 ..} this machine's processors (more only makes OpenMP's
     *     threads wait on each other; 100,000 started 16,000 native threads before anything failed)
     * @throws IllegalArgumentException {@code --threads must be between 1 and 2 (this machine's processors), got 0}
     */
    static void apply(int threads) {
        apply(threads, Runtime.getRuntime().availableProcessors());
    }

    static void apply(int threads, int processors) {
        if (threads < 1 || threads > processors) {
            throw new IllegalArgumentException("--threads must be between 1 and " + processors + " (this machine's processors), got "
                    + threads);
        }
        System.setProperty(PROPERTY, Integer.toString(threads));
    }
}
