package dev.peft4j.core.train;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@link Trainer#train}.
 *
 * @param epochs per-epoch summaries, in order
 * @param steps optimizer updates taken
 * @param examplesSeen training examples processed (each epoch counts each example once)
 * @param tokensSeen real (non-padding) training tokens processed
 * @param wallTime time spent in {@link Trainer#train}, evaluation included
 * @param stepNanos wall time of every update this call took, in nanoseconds, in order
 * @param logHistory every update of the run, in order (a resumed run's include those taken
 *     before its snapshot): the loss curve
 */
public record TrainingResult(List<EpochMetrics> epochs, long steps, long examplesSeen, long tokensSeen, Duration wallTime,
        List<Long> stepNanos, List<StepEvent> logHistory) {

    /** Copies the lists. */
    public TrainingResult {
        epochs = List.copyOf(epochs);
        stepNanos = List.copyOf(stepNanos);
        logHistory = List.copyOf(logHistory);
    }

    /** @return the median update time in nanoseconds (the mean of the middle two for an even count); 0 if none */
    public double medianStepNanos() {
        if (stepNanos.isEmpty()) {
            return 0;
        }
        long[] sorted = stepNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    /** @return the last epoch's summary */
    public EpochMetrics lastEpoch() {
        return epochs.getLast();
    }
}
