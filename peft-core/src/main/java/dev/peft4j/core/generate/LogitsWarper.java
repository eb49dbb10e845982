package dev.peft4j.core.generate;

/**
 * Reshapes one row of next-token scores before sampling, HF transformers' {@code LogitsWarper}:
 * works in place on the scores of one sequence ({@code vocab} values, natural-log units, any
 * offset), and removes a token by setting its score to {@link Double#NEGATIVE_INFINITY} (HF's
 * {@code filter_value}). Warpers run in HF's order (temperature, top-k, top-p) through
 * {@link GenerationConfig#warpers()}; greedy decoding uses none.
 */
@FunctionalInterface
public interface LogitsWarper {

    /**
     * @param scores one row's scores, {@code (vocab)}, changed in place; at least one stays finite
     *     when one was finite on entry
     */
    void warp(double[] scores);
}
