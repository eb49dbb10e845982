package dev.peft4j.examples.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens UTF-8 text files the way spreadsheet programs write them: with or without a byte order mark. */
final class Utf8Files {

    private static final int BYTE_ORDER_MARK = '\uFEFF';

    private Utf8Files() {
    }

    /**
     * Opens {@code file} for reading as UTF-8, past a leading byte order mark if there is one.
     * Bytes that are not UTF-8 make a later read throw {@link java.nio.charset.CharacterCodingException}.
     *
     * @param file the file
     * @return a reader positioned at the first character after the mark
     * @throws IOException if the file cannot be opened (e.g. {@link java.nio.file.NoSuchFileException})
     */
    static BufferedReader open(Path file) throws IOException {
        BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        try {
            reader.mark(1);
            if (reader.read() != BYTE_ORDER_MARK) {
                reader.reset();
            }
            return reader;
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }
}
