package dev.peft4j.examples.data;

import java.io.IOException;

/**
 * A data file that was read but whose content cannot become labelled rows: no rows, a missing
 * column, a blank text, a label outside the given mapping, a line that is not a JSON object,
 * malformed CSV or text that is not UTF-8.
 *
 * <p>The message names the file, the line where there is one, and the offending value, e.g.
 * {@code reviews.jsonl line 7: label 'neutral' is not in the label mapping; known: [neg, pos]};
 * it is meant to be shown to a user as is. A parser error behind it is attached as the
 * {@linkplain #getCause() cause}.
 *
 * <p>It is a checked {@link IOException} so a caller handles "cannot read" and "read garbage" in
 * one place; a missing file surfaces as {@link java.nio.file.NoSuchFileException} naming the path.
 */
public class TextDataException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file, line and value
     */
    public TextDataException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file, line and value
     * @param cause the parser error behind it
     */
    public TextDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
