package dev.peft4j.core.io.safetensors;

import dev.peft4j.core.io.ModelFormatException;

/**
 * A safetensors file whose layout breaks the format: a header length beyond the file or over
 * 100 MB, malformed JSON, an unknown dtype, a shape that disagrees with its byte range, offsets
 * that overlap, leave gaps or run past the data, or a duplicate tensor name. The message names
 * the file and the problem.
 */
public class SafetensorsFormatException extends ModelFormatException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file
     */
    public SafetensorsFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file
     * @param cause the JSON parser error behind it
     */
    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
