package dev.peft4j.core.train;

/**
 * Linear warm-up then linear decay to zero, HF transformers'
 * {@code get_linear_schedule_with_warmup}: the learning rate of update {@code step} (0-based:
 * the number of updates already taken) is
 * <pre>
 * peak * step / max(1, warmup)                                  if step &lt; warmup
 * peak * max(0, (total - step) / max(1, total - warmup))        otherwise
 * </pre>
 * so with warm-up the first update uses rate 0, as in HF.
 *
 * @param peakLr the rate reached at the end of warm-up, &gt; 0
 * @param warmupSteps updates spent warming up, in {@code [0, totalSteps]}
 * @param totalSteps all updates of the run, &gt; 0
 */
public record LinearSchedule(double peakLr, long warmupSteps, long totalSteps) {

    /**
     * @throws IllegalArgumentException naming the bad value
     */
    public LinearSchedule {
        if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
            throw new IllegalArgumentException("schedule peak lr must be finite and > 0, got " + peakLr);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("schedule total steps must be > 0, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("schedule warm-up steps must be in [0, " + totalSteps + "], got " + warmupSteps);
        }
    }

    /**
     * HF {@code TrainingArguments.get_warmup_steps}: {@code ceil(warmup_ratio * total_steps)}.
     *
     * @param peakLr the rate after warm-up
     * @param warmupRatio the fraction of updates spent warming up, in {@code [0, 1]}
     * @param totalSteps all updates of the run
     * @return the schedule
     * @throws IllegalArgumentException if the ratio is outside {@code [0, 1]} or as the constructor
     */
    public static LinearSchedule withWarmupRatio(double peakLr, double warmupRatio, long totalSteps) {
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("warmup_ratio must be in [0, 1], got " + warmupRatio);
        }
        return new LinearSchedule(peakLr, (long) Math.ceil(warmupRatio * totalSteps), totalSteps);
    }

    /**
     * @param step the number of updates already taken, &gt;= 0
     * @return the learning rate for the next update
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public double learningRate(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("schedule step must be >= 0, got " + step);
        }
        if (step < warmupSteps) {
            return peakLr * ((double) step / Math.max(1, warmupSteps));
        }
        return peakLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
