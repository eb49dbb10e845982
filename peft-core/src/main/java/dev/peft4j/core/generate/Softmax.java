package dev.peft4j.core.generate;

/** The softmax of one row of scores on the host, in double precision. */
public final class Softmax {

    private Softmax() {}

    /**
     * {@code p_i = exp(s_i - max) / sum_j exp(s_j - max)}; tokens at {@code -inf} get exactly 0.
     *
     * @param scores {@code (vocab)} scores, at least one finite
     * @return {@code (vocab)} probabilities summing to 1
     * @throws IllegalArgumentException if no score is finite or one is NaN or {@code +inf}
     */
    public static double[] of(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double score : scores) {
            if (Double.isNaN(score) || score == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("scores must be finite or -inf, got " + score);
            }
            max = Math.max(max, score);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every one of the " + scores.length + " scores is -inf: no token left to pick");
        }
        double[] probabilities = new double[scores.length];
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            probabilities[i] = Math.exp(scores[i] - max);
            total += probabilities[i];
        }
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] /= total;
        }
        return probabilities;
    }
}
