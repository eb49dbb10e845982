package dev.peft4j.core.train.lm;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.peft4j.core.train.RecipeChecks;

/**
 * The hyper-parameters of a causal-LM training run (pre-training or fine-tuning), with HF
 * {@code TrainingArguments}' names in snake_case and its defaults; a {@code null} component takes
 * the default and the compact constructor validates. The run lasts {@code max_steps} updates when
 * that is set (cycling through the blocks, a new shuffle per epoch, as HF), otherwise
 * {@code epochs} passes.
 *
 * @param lr peak learning rate (HF {@code learning_rate}), default 5e-5, finite and &gt; 0
 * @param epochs passes over the training blocks (HF {@code num_train_epochs}), default 3, &gt; 0;
 *     ignored when {@code max_steps} is set
 * @param maxSteps optimizer updates of the run (HF {@code max_steps}), default -1 (use epochs);
 *     -1 or &gt; 0
 * @param batchSize blocks per forward pass (HF {@code per_device_train_batch_size}), default 8, &gt; 0;
 *     also the evaluation batch size
 * @param seed seeds the shuffles and the dropout masks, default 42
 * @param warmupRatio fraction of updates with a linearly rising rate, default 0, in {@code [0, 1]}
 * @param weightDecay decoupled AdamW decay, default 0, finite and &gt;= 0
 * @param maxGradNorm global gradient-norm clip, default 1.0; 0 disables clipping
 * @param gradientAccumulationSteps forward passes per update, default 1, &gt; 0; the update's loss is
 *     the summed NLL of all of them over their counted tokens (HF's {@code num_items_in_batch})
 */
public record LmTrainingRecipe(
        @JsonProperty("lr") Double lr,
        @JsonProperty("epochs") Integer epochs,
        @JsonProperty("max_steps") Long maxSteps,
        @JsonProperty("batch_size") Integer batchSize,
        @JsonProperty("seed") Long seed,
        @JsonProperty("warmup_ratio") Double warmupRatio,
        @JsonProperty("weight_decay") Double weightDecay,
        @JsonProperty("max_grad_norm") Double maxGradNorm,
        @JsonProperty("gradient_accumulation_steps") Integer gradientAccumulationSteps) {

    /**
     * Fills defaults and validates.
     *
     * @throws IllegalArgumentException naming the key, the bad value and what is allowed, e.g.
     *     {@code recipe.max_steps must be -1 (use epochs) or > 0, got 0}
     */
    public LmTrainingRecipe {
        lr = lr == null ? 5e-5 : lr;
        epochs = epochs == null ? 3 : epochs;
        maxSteps = maxSteps == null ? -1L : maxSteps;
        batchSize = batchSize == null ? 8 : batchSize;
        seed = seed == null ? 42L : seed;
        warmupRatio = warmupRatio == null ? 0.0 : warmupRatio;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        gradientAccumulationSteps = gradientAccumulationSteps == null ? 1 : gradientAccumulationSteps;
        if (!(lr > 0) || lr.isInfinite()) {
            throw new IllegalArgumentException("recipe.lr must be finite and > 0, got " + lr);
        }
        RecipeChecks.requirePositive("epochs", epochs);
        if (maxSteps != -1 && maxSteps <= 0) {
            throw new IllegalArgumentException("recipe.max_steps must be -1 (use epochs) or > 0, got " + maxSteps);
        }
        RecipeChecks.requirePositive("batch_size", batchSize);
        RecipeChecks.requireOptimizerSettings(warmupRatio, weightDecay, maxGradNorm, gradientAccumulationSteps);
    }

    /** @return every default (HF {@code TrainingArguments}' values) */
    public static LmTrainingRecipe defaults() {
        return new LmTrainingRecipe(null, null, null, null, null, null, null, null, null);
    }

    /**
     * Optimizer updates per epoch: {@code ceil(ceil(blocks / batch_size) / gradient_accumulation_steps)}.
     *
     * @param blocks training blocks, &gt; 0
     * @return updates per pass over the blocks
     */
    public long updatesPerEpoch(int blocks) {
        return Math.ceilDiv(Math.ceilDiv(blocks, batchSize), gradientAccumulationSteps);
    }

    /**
     * @param blocks training blocks, &gt; 0
     * @return {@code max_steps} if set, else {@code epochs * updatesPerEpoch(blocks)}
     */
    public long totalSteps(int blocks) {
        return maxSteps > 0 ? maxSteps : epochs * updatesPerEpoch(blocks);
    }

    /**
     * @param steps updates of the run
     * @return this recipe with {@code max_steps} set
     */
    public LmTrainingRecipe withMaxSteps(long steps) {
        return new LmTrainingRecipe(lr, epochs, steps, batchSize, seed, warmupRatio, weightDecay, maxGradNorm, gradientAccumulationSteps);
    }
}
