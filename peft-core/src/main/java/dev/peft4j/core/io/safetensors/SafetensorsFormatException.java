package dev.peft4j.core.io.safetensors;

import dev.peft4j.core.io.ModelFormatException;

/**
 * A safetensors file whose layout breaks the format, or holds a tensor peft4j cannot read: a
 * header length beyond the file or over 100 MB, malformed JSON (invalid UTF-8, a repeated key at
 * any level, content after the root object), an unknown dtype, a missing or unknown key in a
 * tensor entry, a shape with a negative dimension or whose byte count overflows 64 bits,
 * {@code data_offsets} that are not two integers {@code 0 <= begin <= end}, a shape that disagrees
 * with its byte range, offsets that overlap, leave gaps or run past the data, a duplicate tensor
 * name; when a tensor is read, an unsupported dtype ({@code unsupported dtype I8; supported:
 * [...]}) or a BOOL byte other than 0 and 1. The message names the file and the problem.
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
