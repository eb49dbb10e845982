package dev.peft4j.core.train;

/**
 * What one optimizer update did, handed to {@link TrainingListener#onStep}.
 *
 * @param epoch the epoch, from 0
 * @param step the update's index in the run, from 0
 * @param totalSteps updates planned for the run
 * @param loss mean training loss of the update's examples (nats; the mean over its micro-batches
 *     of each micro-batch's mean), before the update
 * @param learningRate the rate the update used
 * @param gradNorm global gradient L2 norm before clipping
 * @param examples examples in the update
 * @param tokens real (non-padding) tokens in the update
 * @param nanos wall time of the update: tokenization, forward, backward, clipping, AdamW
 */
public record StepEvent(int epoch, long step, long totalSteps, double loss, double learningRate, double gradNorm,
        int examples, long tokens, long nanos) {}
