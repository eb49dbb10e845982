package dev.peft4j.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TokenBatch;
import dev.peft4j.core.runtime.PeftModel;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One optimizer update of a sequence classifier: for each micro-batch, tokenize, forward in
 * training mode with its {@link DropoutSeed}, softmax cross-entropy (mean over the micro-batch,
 * divided by the number of micro-batches, so accumulated gradients are the average), backward;
 * then clip the global gradient norm and take an {@link AdamW} step (which zeroes the gradients).
 *
 * <p>Each micro-batch opens and closes its own {@link GradientCollector} (one may be open per
 * JVM) and frees its arrays before the next. The update is a pure function of the parameters,
 * the optimizer state, the examples and {@code (seed, firstForward)}: replaying it gives
 * bit-identical parameters.
 */
public final class TrainingStep {

    private final PeftModel model;
    private final SentenceTokenizer tokenizer;
    private final AdamW optimizer;
    private final long seed;
    private final double maxGradNorm;
    private final Collection<Parameter> trainable;

    /**
     * @param model a {@code SEQ_CLS} model
     * @param tokenizer tokenizes each micro-batch (padding to its longest sentence)
     * @param optimizer the optimizer over the model's trainable parameters
     * @param seed the run's seed (dropout masks)
     * @param maxGradNorm global clipping norm; 0 disables clipping
     */
    public TrainingStep(PeftModel model, SentenceTokenizer tokenizer, AdamW optimizer, long seed, double maxGradNorm) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.seed = seed;
        this.maxGradNorm = maxGradNorm;
        this.trainable = optimizer.parameters().values();
    }

    /**
     * Runs the update.
     *
     * @param microBatches one or more non-empty batches of examples, accumulated into one update
     * @param learningRate the rate of this update
     * @param firstForward the run-wide index of the first micro-batch's forward pass: micro-batch
     *     {@code j} draws dropout masks for step {@code firstForward + j}
     * @return the loss, pre-clip gradient norm, examples and real tokens of the update
     * @throws IllegalArgumentException if there are no micro-batches or one is empty
     * @throws IllegalStateException if the loss is not finite (the parameters are left unchanged)
     */
    public Outcome run(List<List<TrainingExample>> microBatches, double learningRate, long firstForward) {
        if (microBatches.isEmpty() || microBatches.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("an update needs one or more non-empty micro-batches");
        }
        int count = microBatches.size();
        double lossSum = 0;
        int examples = 0;
        long tokens = 0;
        for (int j = 0; j < count; j++) {
            List<TrainingExample> batch = microBatches.get(j);
            TokenBatch encoded = tokenizer.encode(batch.stream().map(TrainingExample::text).toList());
            lossSum += forwardBackward(encoded, labels(batch), new DropoutSeed(seed, firstForward + j), count);
            examples += batch.size();
            tokens += encoded.realTokens();
        }
        double loss = lossSum / count;
        if (!Double.isFinite(loss)) {
            Autograd.zeroGradients(trainable);
            throw new IllegalStateException("training loss is " + loss + " at update " + optimizer.stepCount()
                    + "; lower the learning rate or check the inputs");
        }
        double gradNorm = GradientClipping.clip(trainable, maxGradNorm);
        optimizer.step(learningRate);
        return new Outcome(loss, gradNorm, examples, tokens);
    }

    /** @return the micro-batch's mean loss; gradients of {@code loss / count} accumulate on the parameters */
    private double forwardBackward(TokenBatch encoded, long[] labels, DropoutSeed dropoutSeed, int count) {
        try (NDScope scope = new NDScope(); NDManager manager = model.baseModel().manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            NDList inputs = encoded.toNDList(manager);
            NDArray target = manager.create(labels);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(inputs, dropoutSeed).head();
                NDArray loss = CrossEntropy.mean(logits, target);
                // an array divisor, not div(Number): DJL frees a Number's scalar before backward reads it
                collector.backward(count == 1 ? loss : loss.div(manager.create((float) count)));
                return loss.getFloat();
            }
        }
    }

    static long[] labels(List<TrainingExample> batch) {
        long[] labels = new long[batch.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = batch.get(i).label();
        }
        return labels;
    }

    /**
     * What one update did.
     *
     * @param loss mean over micro-batches of each micro-batch's mean loss (nats)
     * @param gradNorm global gradient L2 norm before clipping
     * @param examples examples in the update
     * @param tokens real (non-padding) tokens in the update
     */
    public record Outcome(double loss, double gradNorm, int examples, long tokens) {}
}
