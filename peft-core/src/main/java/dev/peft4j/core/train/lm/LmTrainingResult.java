package dev.peft4j.core.train.lm;

import dev.peft4j.core.train.StepEvent;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@link CausalLmTrainer#train}.
 *
 * @param steps optimizer updates taken
 * @param blocksSeen training blocks processed (a block counts once per epoch that visits it)
 * @param tokensSeen real (non-padding) training tokens processed
 * @param wallTime time spent in {@link CausalLmTrainer#train}, evaluations included
 * @param history every update's event, in order: the loss curve
 * @param evaluations every held-out evaluation, in order; empty without held-out blocks
 */
public record LmTrainingResult(long steps, long blocksSeen, long tokensSeen, Duration wallTime, List<StepEvent> history,
        List<LmEvaluation> evaluations) {

    /** Copies the lists. */
    public LmTrainingResult {
        history = List.copyOf(history);
        evaluations = List.copyOf(evaluations);
    }

    /** @return the median update time in nanoseconds (mean of the middle two for an even count); 0 if none */
    public double medianStepNanos() {
        if (history.isEmpty()) {
            return 0;
        }
        long[] sorted = history.stream().mapToLong(StepEvent::nanos).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    /**
     * @return training tokens per second of update time (real tokens over the summed update wall
     *     times, evaluations excluded); 0 if nothing was timed
     */
    public double tokensPerSecond() {
        long nanos = history.stream().mapToLong(StepEvent::nanos).sum();
        return nanos == 0 ? 0 : tokensSeen * 1e9 / nanos;
    }

    /**
     * @return the last held-out evaluation (after the last update)
     * @throws IllegalStateException if the run had no held-out blocks
     */
    public LmEvaluation finalEvaluation() {
        if (evaluations.isEmpty()) {
            throw new IllegalStateException("the run had no held-out blocks, so no evaluation");
        }
        return evaluations.getLast();
    }
}
