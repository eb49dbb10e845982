package dev.peft4j.core.train.lm;

/**
 * A held-out evaluation during causal-LM training.
 *
 * @param epoch the epoch in which it ran, from 0
 * @param step updates taken before it
 * @param heldOut the held-out sums and perplexity
 */
public record LmEvaluation(int epoch, long step, Perplexity heldOut) {}
