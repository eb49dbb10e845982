package dev.peft4j.core.train;

import ai.djl.ndarray.NDArray;

/**
 * Softmax cross-entropy for classification, PyTorch's {@code F.cross_entropy} as HF's
 * sequence-classification heads apply it: {@code -log softmax(logits)[label]} per example.
 */
public final class CrossEntropy {

    private CrossEntropy() {}

    /**
     * @param logits {@code (batch, num_labels)} fp32
     * @param labels {@code (batch)} integer class indices in {@code [0, num_labels)}
     * @return {@code (batch)} per-example losses (nats), differentiable
     */
    public static NDArray perExample(NDArray logits, NDArray labels) {
        long numLabels = logits.getShape().get(1);
        NDArray logProbabilities = logits.logSoftmax(-1);
        NDArray oneHot = labels.oneHot((int) numLabels);
        return logProbabilities.mul(oneHot).sum(new int[] {1}).neg();
    }

    /**
     * @param logits {@code (batch, num_labels)} fp32
     * @param labels {@code (batch)} integer class indices
     * @return the mean loss over the batch, a scalar (HF's {@code reduction="mean"})
     */
    public static NDArray mean(NDArray logits, NDArray labels) {
        return perExample(logits, labels).mean();
    }
}
