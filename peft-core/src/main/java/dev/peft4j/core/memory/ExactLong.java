package dev.peft4j.core.memory;

/**
 * Sums and products of non-negative 64-bit counts that throw {@link ArithmeticException} instead of
 * wrapping ({@link Math#multiplyExact(long, long)}, {@link Math#addExact(long, long)}), so an
 * absurd model is rejected rather than accounted with a negative size.
 */
final class ExactLong {

    private ExactLong() {}

    /**
     * @param factors the factors
     * @return their product
     * @throws ArithmeticException if it overflows a {@code long}
     */
    static long product(long... factors) {
        long out = 1;
        for (long factor : factors) {
            out = Math.multiplyExact(out, factor);
        }
        return out;
    }

    /**
     * @param terms the terms
     * @return their sum
     * @throws ArithmeticException if it overflows a {@code long}
     */
    static long sum(long... terms) {
        long out = 0;
        for (long term : terms) {
            out = Math.addExact(out, term);
        }
        return out;
    }
}
