package dev.peft4j.core.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The hyper-parameters of a fine-tuning run, one spelling everywhere (ARCHITECTURE.md "Recipe
 * flags": JSON {@code batch_size}, flag {@code --batch-size}). A {@code null} component takes HF
 * {@code TrainingArguments}' default; the compact constructor validates.
 *
 * @param lr peak learning rate (HF {@code learning_rate}), default 5e-5, &gt; 0
 * @param epochs passes over the training set (HF {@code num_train_epochs}), default 3, &gt; 0
 * @param batchSize examples per forward pass (HF {@code per_device_train_batch_size}), default 8, &gt; 0
 * @param maxLength the longest tokenized example in tokens, default 128, &gt;= 2
 * @param seed seeds shuffling and dropout masks, default 42
 * @param warmupRatio fraction of updates with linearly rising rate, default 0, in {@code [0, 1]}
 * @param weightDecay decoupled AdamW decay, default 0, &gt;= 0
 * @param maxGradNorm global gradient-norm clip, default 1.0; 0 disables clipping
 * @param gradientAccumulationSteps forward passes averaged per update, default 1, &gt; 0
 */
public record TrainingRecipe(
        @JsonProperty("lr") Double lr,
        @JsonProperty("epochs") Integer epochs,
        @JsonProperty("batch_size") Integer batchSize,
        @JsonProperty("max_length") Integer maxLength,
        @JsonProperty("seed") Long seed,
        @JsonProperty("warmup_ratio") Double warmupRatio,
        @JsonProperty("weight_decay") Double weightDecay,
        @JsonProperty("max_grad_norm") Double maxGradNorm,
        @JsonProperty("gradient_accumulation_steps") Integer gradientAccumulationSteps) {

    /**
     * Fills defaults and validates.
     *
     * @throws IllegalArgumentException naming the key, the bad value and what is allowed, e.g.
     *     {@code recipe.batch_size must be > 0, got 0}
     */
    public TrainingRecipe {
        lr = lr == null ? 5e-5 : lr;
        epochs = epochs == null ? 3 : epochs;
        batchSize = batchSize == null ? 8 : batchSize;
        maxLength = maxLength == null ? 128 : maxLength;
        seed = seed == null ? 42L : seed;
        warmupRatio = warmupRatio == null ? 0.0 : warmupRatio;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        gradientAccumulationSteps = gradientAccumulationSteps == null ? 1 : gradientAccumulationSteps;
        if (!(lr > 0) || lr.isInfinite()) {
            throw new IllegalArgumentException("recipe.lr must be finite and > 0, got " + lr);
        }
        RecipeChecks.requirePositive("epochs", epochs);
        RecipeChecks.requirePositive("batch_size", batchSize);
        if (maxLength < 2) {
            throw new IllegalArgumentException("recipe.max_length must be >= 2 (room for [CLS] and [SEP]), got " + maxLength);
        }
        RecipeChecks.requireOptimizerSettings(warmupRatio, weightDecay, maxGradNorm, gradientAccumulationSteps);
    }

    /** @return every default (HF {@code TrainingArguments}' values) */
    public static TrainingRecipe defaults() {
        return new TrainingRecipe(null, null, null, null, null, null, null, null, null);
    }

    /**
     * Optimizer updates per epoch: {@code ceil(ceil(examples / batch_size) / gradient_accumulation_steps)}
     * (a short last batch and a short last accumulation group still make an update).
     *
     * @param examples training examples per epoch, &gt; 0
     * @return the updates per epoch
     */
    public long updatesPerEpoch(int examples) {
        long batches = Math.ceilDiv(examples, batchSize);
        return Math.ceilDiv(batches, gradientAccumulationSteps);
    }
}
