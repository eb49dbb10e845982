package dev.peft4j.examples.data;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats {@link TextClassificationData} reads. */
public enum TextFormat {
    /** Comma-separated values (RFC 4180 quoting; quoted fields may hold newlines), with or without a header row. */
    CSV,
    /** JSON Lines: one JSON object per line; blank lines are skipped. */
    JSONL;

    /**
     * Tells the format from a file name: {@code .csv} is CSV, {@code .jsonl} and {@code .ndjson} are
     * JSONL (case-insensitive).
     *
     * @param file the data file
     * @return its format
     * @throws IllegalArgumentException if the extension is none of those, naming the file
     */
    public static TextFormat fromFileName(Path file) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv")) {
            return CSV;
        }
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
            return JSONL;
        }
        throw new IllegalArgumentException(file + ": cannot tell the format from the file name;"
                + " use a .csv, .jsonl or .ndjson extension or name the format (CSV or JSONL)");
    }
}
