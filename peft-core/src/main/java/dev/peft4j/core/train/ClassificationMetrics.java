package dev.peft4j.core.train;

import java.util.Arrays;

/**
 * Accuracy and macro-F1 from a confusion matrix, as scikit-learn's {@code accuracy_score} and
 * {@code f1_score(average="macro")} (which HF's {@code evaluate} wraps): per class
 * {@code F1 = 2 tp / (2 tp + fp + fn)}, averaged over the classes that occur among the labels or
 * the predictions; a class predicted but never right scores 0.
 *
 * @param confusion {@code confusion[label][prediction]} counts, square
 * @param accuracy the fraction of correct predictions, in {@code [0, 1]} (NaN when empty)
 * @param macroF1 the unweighted mean F1 over present classes, in {@code [0, 1]} (NaN when empty)
 */
public record ClassificationMetrics(long[][] confusion, double accuracy, double macroF1) {

    /**
     * Counts predictions against labels.
     *
     * @param numLabels the number of classes
     * @param labels true classes in {@code [0, numLabels)}
     * @param predictions predicted classes in {@code [0, numLabels)}, as many as {@code labels}
     * @return the metrics
     * @throws IllegalArgumentException if the lengths differ or a class is out of range
     */
    public static ClassificationMetrics of(int numLabels, int[] labels, int[] predictions) {
        if (labels.length != predictions.length) {
            throw new IllegalArgumentException("got " + labels.length + " labels but " + predictions.length + " predictions");
        }
        long[][] confusion = new long[numLabels][numLabels];
        for (int i = 0; i < labels.length; i++) {
            requireClass("label", labels[i], numLabels);
            requireClass("prediction", predictions[i], numLabels);
            confusion[labels[i]][predictions[i]]++;
        }
        return fromConfusion(confusion);
    }

    /**
     * @param confusion {@code confusion[label][prediction]} counts, square
     * @return the metrics of that matrix
     */
    public static ClassificationMetrics fromConfusion(long[][] confusion) {
        int n = confusion.length;
        long total = 0;
        long correct = 0;
        double f1Sum = 0;
        int present = 0;
        for (int c = 0; c < n; c++) {
            long tp = confusion[c][c];
            long fn = 0;
            long fp = 0;
            for (int k = 0; k < n; k++) {
                total += confusion[c][k];
                if (k != c) {
                    fn += confusion[c][k];
                    fp += confusion[k][c];
                }
            }
            correct += tp;
            long denominator = 2 * tp + fp + fn;
            if (denominator > 0) {
                f1Sum += 2.0 * tp / denominator;
                present++;
            }
        }
        double accuracy = total == 0 ? Double.NaN : (double) correct / total;
        double macroF1 = present == 0 ? Double.NaN : f1Sum / present;
        long[][] copy = Arrays.stream(confusion).map(long[]::clone).toArray(long[][]::new);
        return new ClassificationMetrics(copy, accuracy, macroF1);
    }

    /** @return a copy of {@code confusion[label][prediction]} */
    @Override
    public long[][] confusion() {
        return Arrays.stream(confusion).map(long[]::clone).toArray(long[][]::new);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClassificationMetrics that && Arrays.deepEquals(confusion, that.confusion);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(confusion);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "accuracy=%.4f macro_f1=%.4f n=%d", accuracy, macroF1, count());
    }

    /** @return the number of examples counted */
    public long count() {
        return Arrays.stream(confusion).flatMapToLong(Arrays::stream).sum();
    }

    private static void requireClass(String what, int value, int numLabels) {
        if (value < 0 || value >= numLabels) {
            throw new IllegalArgumentException(what + " " + value + " is outside [0, " + numLabels + ")");
        }
    }
}
