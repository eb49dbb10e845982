package dev.peft4j.core.train;

/**
 * The checks every training recipe ({@link TrainingRecipe}, {@link dev.peft4j.core.train.lm.LmTrainingRecipe})
 * makes on its HF {@code TrainingArguments} values, with messages naming the {@code recipe.*} key.
 */
public final class RecipeChecks {

    private RecipeChecks() {}

    /**
     * @param key the snake_case key without {@code recipe.}
     * @param value the value
     * @throws IllegalArgumentException {@code recipe.<key> must be > 0, got 0}
     */
    public static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("recipe." + key + " must be > 0, got " + value);
        }
    }

    /**
     * Checks the optimizer settings the recipes share.
     *
     * @param warmupRatio fraction of updates spent warming up
     * @param weightDecay AdamW's decoupled weight decay
     * @param maxGradNorm the clipping norm, 0 disables clipping
     * @param gradientAccumulationSteps micro-batches per update
     * @throws IllegalArgumentException naming the first bad key, its value and what is allowed
     */
    public static void requireOptimizerSettings(double warmupRatio, double weightDecay, double maxGradNorm,
            int gradientAccumulationSteps) {
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("recipe.warmup_ratio must be in [0, 1], got " + warmupRatio);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("recipe.weight_decay must be finite and >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
            throw new IllegalArgumentException("recipe.max_grad_norm must be finite and >= 0 (0 disables clipping), got " + maxGradNorm);
        }
        requirePositive("gradient_accumulation_steps", gradientAccumulationSteps);
    }
}
