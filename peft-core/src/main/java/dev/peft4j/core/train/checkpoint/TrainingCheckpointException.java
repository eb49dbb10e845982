package dev.peft4j.core.train.checkpoint;

import dev.peft4j.core.io.ModelFormatException;

/**
 * A training checkpoint that is absent, incomplete or inconsistent. The message names the folder
 * or file and what is wrong, e.g. {@code training checkpoint run/checkpoints/step-4 is damaged:
 * missing optimizer.safetensors}; it is meant to be shown as is.
 */
public class TrainingCheckpointException extends ModelFormatException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the path
     */
    public TrainingCheckpointException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the path
     * @param cause the lower-level error
     */
    public TrainingCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
