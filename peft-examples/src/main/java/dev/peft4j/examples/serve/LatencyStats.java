package dev.peft4j.examples.serve;

import java.util.Arrays;

/** Percentiles of request latencies (nearest-rank definition: the smallest value with at least p% at or below it). */
public final class LatencyStats {

    private LatencyStats() {}

    /**
     * @param nanos latencies in nanoseconds, any order, at least one
     * @param percent in {@code (0, 100]}
     * @return the nearest-rank percentile in milliseconds
     * @throws IllegalArgumentException if there is no latency or the percent is out of range
     */
    public static double percentileMillis(long[] nanos, double percent) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latencies");
        }
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percent);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percent / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1] / 1e6;
    }
}
