package dev.peft4j.core.train;

/**
 * A model's quality on held-out examples, computed in inference mode (no dropout).
 *
 * @param loss mean cross-entropy per example (nats)
 * @param metrics accuracy, macro-F1 and the confusion matrix
 */
public record Evaluation(double loss, ClassificationMetrics metrics) {

    /** @return the fraction of correct predictions */
    public double accuracy() {
        return metrics.accuracy();
    }

    /** @return the unweighted mean F1 over classes */
    public double macroF1() {
        return metrics.macroF1();
    }
}
