package dev.peft4j.core.io;

import java.io.IOException;

/**
 * A weight or model file that exists and was read, but whose content is not what peft4j expects:
 * not the claimed format, truncated, inconsistent, or missing a tensor or graph pattern a reader
 * needs.
 *
 * <p>The message names the file and the offending value and says what was expected, e.g.
 * {@code missing initializer 'embeddings.word_embeddings.weight' in model.onnx}; it is meant to be
 * shown to a user as is. A lower-level cause (a protobuf or JSON parse error) is attached as the
 * {@linkplain #getCause() cause} for debugging, never as the message.
 *
 * <p>It is a checked {@link IOException} on purpose: every reader that can throw it also reads
 * files and already declares {@code IOException}, so a caller handles "cannot read" and "read
 * garbage" in one place. A missing file is reported separately as a
 * {@link java.io.FileNotFoundException} whose message names the path.
 */
public class ModelFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file and the value
     */
    public ModelFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file and the value
     * @param cause the parser error behind it
     */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
