package dev.peft4j.core.train.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.AdamW;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.GradientClipping;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One optimizer update of a causal LM: for each micro-batch, forward in training mode with its
 * {@link DropoutSeed}, {@link CausalLmLoss#sum} divided by the counted tokens of the whole update
 * (so the accumulated gradient is that of the token-weighted mean loss, HF's
 * {@code num_items_in_batch}), backward; then clip the global gradient norm and take an
 * {@link AdamW} step (which zeroes the gradients).
 *
 * <p>Each micro-batch opens and closes its own {@link GradientCollector} (one may be open per JVM)
 * and frees its arrays before the next. The update is a pure function of the parameters, the
 * optimizer state, the blocks and {@code (seed, firstForward)}.
 */
public final class LmTrainingStep {

    private final PeftModel model;
    private final AdamW optimizer;
    private final long seed;
    private final double maxGradNorm;
    private final int padTokenId;
    private final Collection<Parameter> trainable;

    /**
     * @param model a {@code CAUSAL_LM} model
     * @param optimizer the optimizer over the model's trainable parameters
     * @param seed the run's seed (dropout masks)
     * @param maxGradNorm global clipping norm; 0 disables clipping
     * @param padTokenId the id written into padding
     */
    public LmTrainingStep(PeftModel model, AdamW optimizer, long seed, double maxGradNorm, int padTokenId) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.seed = seed;
        this.maxGradNorm = maxGradNorm;
        this.padTokenId = padTokenId;
        this.trainable = optimizer.parameters().values();
    }

    /**
     * Runs the update.
     *
     * @param microBatches one or more non-empty lists of token blocks, accumulated into one update
     * @param learningRate the rate of this update
     * @param firstForward the run-wide index of the first micro-batch's forward pass: micro-batch
     *     {@code j} draws dropout masks for step {@code firstForward + j}
     * @return the loss, pre-clip gradient norm, blocks and tokens of the update
     * @throws IllegalArgumentException if there are no micro-batches, one is empty, or no token is
     *     predicted in the whole update (every block shorter than 2 tokens)
     * @throws IllegalStateException if the loss is not finite (the parameters are left unchanged)
     */
    public Outcome run(List<List<int[]>> microBatches, double learningRate, long firstForward) {
        if (microBatches.isEmpty() || microBatches.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("an update needs one or more non-empty micro-batches");
        }
        List<LmBatch> batches = microBatches.stream().map(blocks -> LmBatch.rightPadded(blocks, padTokenId)).toList();
        long counted = batches.stream().mapToLong(LmBatch::countedTokens).sum();
        if (counted == 0) {
            throw new IllegalArgumentException("no token to predict in this update: every block has fewer than 2 tokens");
        }
        double nllSum = 0;
        int blocks = 0;
        long tokens = 0;
        for (int j = 0; j < batches.size(); j++) {
            LmBatch batch = batches.get(j);
            nllSum += forwardBackward(batch, new DropoutSeed(seed, firstForward + j), counted);
            blocks += batch.batchSize();
            tokens += batch.realTokens();
        }
        double loss = nllSum / counted;
        if (!Double.isFinite(loss)) {
            Autograd.zeroGradients(trainable);
            throw new IllegalStateException("training loss is " + loss + " at update " + optimizer.stepCount()
                    + "; lower the learning rate or check the inputs");
        }
        double gradNorm = GradientClipping.clip(trainable, maxGradNorm);
        optimizer.step(learningRate);
        return new Outcome(loss, gradNorm, blocks, tokens, counted);
    }

    /** @return the micro-batch's summed NLL; gradients of {@code sum / counted} accumulate on the parameters */
    private double forwardBackward(LmBatch batch, DropoutSeed dropoutSeed, long counted) {
        try (NDScope scope = new NDScope(); NDManager manager = model.baseModel().manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(batch.toInputs(manager), dropoutSeed).head();
                NDArray sum = CausalLmLoss.sum(logits, batch.toLabels(manager));
                collector.backward(ScalarOps.div(sum, counted));
                return sum.getFloat();
            }
        }
    }

    /**
     * What one update did.
     *
     * @param loss summed NLL of the update over its counted tokens (nats per token)
     * @param gradNorm global gradient L2 norm before clipping
     * @param blocks token blocks in the update
     * @param tokens real (non-padding) tokens in the update
     * @param countedTokens tokens predicted (the loss's denominator)
     */
    public record Outcome(double loss, double gradNorm, int blocks, long tokens, long countedTokens) {}
}
