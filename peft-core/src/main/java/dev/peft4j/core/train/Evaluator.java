package dev.peft4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import java.util.List;

/**
 * Scores a sequence classifier on held-out examples in inference mode (dropout off, gradient
 * recording off): mean cross-entropy and {@link ClassificationMetrics} of the arg-max predictions.
 */
public final class Evaluator {

    private Evaluator() {}

    /**
     * @param model a {@code SEQ_CLS} model
     * @param tokenizer the tokenizer used for training
     * @param examples held-out examples, non-empty
     * @param batchSize examples per forward pass
     * @param numLabels the model's number of classes
     * @return the evaluation
     * @throws IllegalArgumentException if {@code examples} is empty
     */
    public static Evaluation evaluate(PeftModel model, SentenceTokenizer tokenizer, List<TrainingExample> examples,
            int batchSize, int numLabels) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot evaluate on zero examples");
        }
        int[] labels = new int[examples.size()];
        int[] predictions = new int[examples.size()];
        double lossSum = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int start = 0; start < examples.size(); start += batchSize) {
                List<TrainingExample> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
                try (NDScope scope = new NDScope(); NDManager manager = model.baseModel().manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    NDArray logits = model.forward(tokenizer.encode(batch.stream().map(TrainingExample::text).toList()).toNDList(manager), false).head();
                    NDArray target = manager.create(TrainingStep.labels(batch));
                    lossSum += CrossEntropy.perExample(logits, target).sum().getFloat();
                    long[] argMax = logits.argMax(1).toLongArray();
                    for (int i = 0; i < batch.size(); i++) {
                        labels[start + i] = batch.get(i).label();
                        predictions[start + i] = (int) argMax[i];
                    }
                }
            }
        }
        return new Evaluation(lossSum / examples.size(), ClassificationMetrics.of(numLabels, labels, predictions));
    }
}
