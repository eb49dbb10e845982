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
     * @param threads the thread count
     * @throws IllegalArgumentException {@code --threads must be >= 1, got 0}
     */
    static void apply(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        System.setProperty(PROPERTY, Integer.toString(threads));
    }
}
