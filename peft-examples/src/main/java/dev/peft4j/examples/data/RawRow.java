package dev.peft4j.examples.data;

import java.nio.file.Path;

/**
 * One row as read from a file, before its label is mapped to a class index.
 *
 * @param line the 1-based line of the file where the row starts
 * @param text the text, surrounding whitespace removed, not blank
 * @param label the label value, surrounding whitespace removed, not blank
 */
record RawRow(long line, String text, String label) {

    /**
     * Strips both values and rejects blank ones.
     *
     * @throws TextDataException if the text or the label is null or blank, naming file, line and column
     */
    static RawRow of(TextDataSpec spec, long line, String text, String label) throws TextDataException {
        String strippedText = text == null ? "" : text.strip();
        if (strippedText.isEmpty()) {
            throw new TextDataException(where(spec.file(), line) + ": blank text in column " + spec.textColumn());
        }
        String strippedLabel = label == null ? "" : label.strip();
        if (strippedLabel.isEmpty()) {
            throw new TextDataException(where(spec.file(), line) + ": blank label in column " + spec.labelColumn());
        }
        return new RawRow(line, strippedText, strippedLabel);
    }

    /** @return {@code <file> line <n>}, the prefix of messages about one line */
    static String where(Path file, long line) {
        return file + " line " + line;
    }
}
