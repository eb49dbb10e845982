package dev.peft4j.core.train;

/**
 * The summary of one epoch.
 *
 * @param epoch the epoch, from 0
 * @param trainLoss mean of the epoch's per-update training losses (nats, with dropout)
 * @param evaluation held-out quality after the epoch, or {@code null} when no held-out data was given
 */
public record EpochMetrics(int epoch, double trainLoss, Evaluation evaluation) {}
