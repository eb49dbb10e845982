package dev.peft4j.core.generate;

import java.util.Arrays;

/**
 * Keeps the {@code top_k} highest scores, HF's {@code TopKLogitsWarper}: every token whose score
 * is below the {@code k}-th highest is removed ({@code -inf}); tokens tied with the {@code k}-th
 * score stay, so more than {@code k} may remain. {@code k} is clamped to the vocabulary size.
 *
 * @param topK tokens to keep, &gt; 0
 */
public record TopKWarper(int topK) implements LogitsWarper {

    /**
     * @throws IllegalArgumentException {@code top_k must be > 0, got 0}
     */
    public TopKWarper {
        if (topK <= 0) {
            throw new IllegalArgumentException("top_k must be > 0, got " + topK);
        }
    }

    @Override
    public void warp(double[] scores) {
        int k = Math.min(topK, scores.length);
        if (k == scores.length) {
            return;
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double threshold = sorted[sorted.length - k];
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < threshold) {
                scores[i] = Double.NEGATIVE_INFINITY;
            }
        }
    }
}
