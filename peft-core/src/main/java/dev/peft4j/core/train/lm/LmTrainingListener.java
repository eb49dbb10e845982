package dev.peft4j.core.train.lm;

import dev.peft4j.core.train.StepEvent;

/**
 * Receives causal-LM training events on the training thread, synchronously: keep handlers short.
 * Both methods default to doing nothing.
 */
public interface LmTrainingListener {

    /**
     * Called after every optimizer update: loss (nats per predicted token), blocks as
     * {@code examples}, real tokens, wall time in nanoseconds.
     *
     * @param event what the update did
     */
    default void onStep(StepEvent event) {}

    /**
     * Called after every held-out evaluation.
     *
     * @param evaluation the perplexity and when it was measured
     */
    default void onEvaluation(LmEvaluation evaluation) {}
}
