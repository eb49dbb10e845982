package dev.peft4j.core.train;

import java.io.IOException;

/**
 * Receives the {@link TrainingSnapshot}s a {@link Trainer} takes every {@code save_steps}
 * updates and at the end of the run (HF {@code TrainingArguments.save_steps}), on the training
 * thread. {@link dev.peft4j.core.train.checkpoint.TrainingCheckpointWriter} writes them to disk.
 */
@FunctionalInterface
public interface CheckpointSink {

    /**
     * @param snapshot the run's state after update {@code snapshot.state().globalStep()}
     * @throws IOException if it cannot be stored; training stops with an
     *     {@link java.io.UncheckedIOException}
     */
    void save(TrainingSnapshot snapshot) throws IOException;
}
