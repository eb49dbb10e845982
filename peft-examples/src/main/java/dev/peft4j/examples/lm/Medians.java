package dev.peft4j.examples.lm;

import java.util.List;

/** Medians of measured durations. */
final class Medians {

    private Medians() {}

    /**
     * @param nanos durations in nanoseconds, non-empty
     * @return their median in milliseconds (the mean of the two middle values for an even count)
     */
    static double millis(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return median / 1e6;
    }
}
