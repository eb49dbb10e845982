package dev.peft4j.core.memory;

/**
 * What a memory plan assumes besides the model and the method.
 *
 * @param format how frozen weights are stored and the compute dtype
 * @param optimizer the optimizer whose state is counted
 * @param batchSize sequences per micro-batch, &gt; 0
 * @param maxLength tokens per sequence (padded), &gt; 0
 * @param recompute full activation recomputation: only each layer's input is kept, and one layer is
 *     recomputed at a time during the backward pass
 */
public record PlanSettings(WeightFormat format, OptimizerKind optimizer, int batchSize, int maxLength, boolean recompute) {

    /**
     * @throws IllegalArgumentException {@code batch_size must be > 0, got 0}, {@code max_length must be > 0, got -1}
     */
    public PlanSettings {
        if (format == null || optimizer == null) {
            throw new IllegalArgumentException("dtype and optimizer must be given");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size must be > 0, got " + batchSize);
        }
        if (maxLength <= 0) {
            throw new IllegalArgumentException("max_length must be > 0, got " + maxLength);
        }
    }
}
