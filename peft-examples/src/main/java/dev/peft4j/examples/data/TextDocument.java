package dev.peft4j.examples.data;

import java.util.Objects;

/**
 * One unlabelled document of a language-modelling corpus: a Moby Dick chapter, a fortune quotation.
 *
 * @param id where it comes from, e.g. {@code chapter_12} or {@code wisdom#34} (0-based within its file)
 * @param text its text, UTF-8 decodable, line ends {@code \n}
 */
public record TextDocument(String id, String text) {

    /** Checks that neither part is null. */
    public TextDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
    }
}
