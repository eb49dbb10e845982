package dev.peft4j.examples.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.train.AdamW;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.GradientClipping;
import dev.peft4j.core.train.lm.CausalLmLoss;
import java.util.Collection;
import java.util.List;

/**
 * One optimizer update of causal language modelling on a batch of token windows: forward in
 * training mode, HF's shifted cross-entropy ({@link CausalLmLoss#mean}), backward, global-norm
 * clipping, an {@link AdamW} step (which zeroes the gradients). A pure function of the parameters,
 * the optimizer state, the windows and the dropout seed.
 */
final class WindowUpdate {

    private final LmForward forward;
    private final NDManager parent;
    private final AdamW optimizer;
    private final double maxGradNorm;
    private final Collection<Parameter> trainable;

    /**
     * @param forward the training forward pass
     * @param parent the manager under which each update's arrays live (the model's)
     * @param optimizer the optimizer over the trainable parameters
     * @param maxGradNorm clipping norm, 0 for none
     */
    WindowUpdate(LmForward forward, NDManager parent, AdamW optimizer, double maxGradNorm) {
        this.forward = forward;
        this.parent = parent;
        this.optimizer = optimizer;
        this.maxGradNorm = maxGradNorm;
        this.trainable = optimizer.parameters().values();
    }

    /**
     * @param windows the batch, each window of the same length
     * @param lr this update's learning rate
     * @param seed dropout seed of the forward pass
     * @return the batch's mean loss (nats per predicted token)
     * @throws IllegalStateException {@code training loss is NaN at update 3; lower the learning rate
     *     or check the inputs} (the parameters are left unchanged)
     */
    double run(long[][] windows, double lr, DropoutSeed seed) {
        WindowBatch batch = WindowBatch.of(List.of(windows));
        double loss;
        try (NDScope scope = new NDScope(); NDManager manager = parent.newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray labels = manager.create(batch.labels());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = forward.logits(batch.inputs(manager), seed);
                NDArray mean = CausalLmLoss.mean(logits, labels);
                collector.backward(mean);
                loss = mean.getFloat();
            }
        }
        if (!Double.isFinite(loss)) {
            Autograd.zeroGradients(trainable);
            throw new IllegalStateException("training loss is " + loss + " at update " + optimizer.stepCount()
                    + "; lower the learning rate or check the inputs");
        }
        GradientClipping.clip(trainable, maxGradNorm);
        optimizer.step(lr);
        return loss;
    }
}
