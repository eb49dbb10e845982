package dev.peft4j.examples.serve;

import java.util.Arrays;

/** One adapter's served requests: latencies and correct answers. */
public final class AdapterTally {

    private long[] latencies = new long[16];
    private int requests;
    private int correct;

    /**
     * @param latencyNanos the request's latency (its batch's tokenization and forward pass), ns
     * @param right whether the predicted class was the true one
     */
    public void add(long latencyNanos, boolean right) {
        if (requests == latencies.length) {
            latencies = Arrays.copyOf(latencies, requests * 2);
        }
        latencies[requests++] = latencyNanos;
        correct += right ? 1 : 0;
    }

    /** @return the number of requests */
    public int requests() {
        return requests;
    }

    /** @return the share answered correctly, {@code NaN} without requests */
    public double accuracy() {
        return requests == 0 ? Double.NaN : (double) correct / requests;
    }

    /**
     * @param percent in {@code (0, 100]}
     * @return the latency percentile in ms, {@code NaN} without requests
     */
    public double percentileMillis(double percent) {
        return requests == 0 ? Double.NaN : LatencyStats.percentileMillis(Arrays.copyOf(latencies, requests), percent);
    }
}
