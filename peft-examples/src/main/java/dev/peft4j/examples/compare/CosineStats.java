package dev.peft4j.examples.compare;

import dev.peft4j.core.io.HostTensor;
import java.util.Arrays;

/**
 * Row-wise cosine similarity of two embedding matrices, accumulated in double:
 * {@code cos_i = (a_i . b_i) / sqrt(|a_i|^2 |b_i|^2)}, clamped to [-1, 1] (rounding may exceed it
 * by an ulp). Identical rows give exactly 1: {@code sqrt} of the rounded square of {@code x} is
 * {@code x} in IEEE double.
 *
 * @param mean the mean over rows
 * @param min the smallest
 */
record CosineStats(double mean, double min) {

    /**
     * @param trained {@code (n, hidden)}
     * @param base {@code (n, hidden)}
     * @return the mean and minimum cosine over the {@code n} rows
     * @throws IllegalArgumentException if the shapes differ or are empty
     * @throws IllegalStateException if a row is not finite or all zero (its cosine is undefined),
     *     naming the row
     */
    static CosineStats of(HostTensor trained, HostTensor base) {
        if (!Arrays.equals(trained.shape(), base.shape()) || trained.shape().length != 2 || trained.shape()[0] == 0) {
            throw new IllegalArgumentException("embeddings to compare must both be (n > 0, hidden), got "
                    + Arrays.toString(trained.shape()) + " and " + Arrays.toString(base.shape()));
        }
        int rows = Math.toIntExact(trained.shape()[0]);
        int width = Math.toIntExact(trained.shape()[1]);
        float[] a = trained.values();
        float[] b = base.values();
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int row = 0; row < rows; row++) {
            double dot = 0;
            double normA = 0;
            double normB = 0;
            for (int i = row * width, end = i + width; i < end; i++) {
                dot += (double) a[i] * b[i];
                normA += (double) a[i] * a[i];
                normB += (double) b[i] * b[i];
            }
            double denominator = Math.sqrt(normA * normB);
            if (!(denominator > 0) || !Double.isFinite(denominator) || !Double.isFinite(dot)) {
                throw new IllegalStateException("the cosine of probe sentence " + row + " is undefined: squared norms "
                        + normA + " (trained) and " + normB + " (base)");
            }
            double cosine = Math.max(-1, Math.min(1, dot / denominator));
            sum += cosine;
            min = Math.min(min, cosine);
        }
        return new CosineStats(sum / rows, min);
    }
}
