package dev.peft4j.examples.cli;

import dev.peft4j.core.train.checkpoint.TrainingCheckpoint;

/**
 * What a {@code peft train} run does with training checkpoints.
 *
 * @param save what to write as {@code run.json} and how often ({@code --save-steps}), or
 *     {@code null} to write no checkpoints
 * @param resumeFrom the checkpoint to continue from ({@code --resume}), or {@code null}
 */
record CheckpointPlan(RunSpec save, TrainingCheckpoint resumeFrom) {}
