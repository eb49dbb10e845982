package dev.peft4j.examples.cli;

/** Cosine similarity of two vectors. */
final class CosineSimilarity {

    private CosineSimilarity() {}

    /**
     * @param a a vector
     * @param b a vector of the same length
     * @return {@code a.b / (|a| |b|)}, in {@code [-1, 1]}; 0 if either is zero
     * @throws IllegalArgumentException if the lengths differ
     */
    static double of(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors differ in length: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
    }
}
