package dev.peft4j.examples.data;

import java.util.Objects;

/**
 * One labelled example for sequence classification: a text and its class index.
 *
 * @param text the text, as the tokenizer will see it (loaders strip surrounding whitespace)
 * @param label the class index, {@code 0 <= label < number of classes}; the dataset's label names
 *     give its meaning (e.g. {@code 0} negative, {@code 1} positive)
 * @throws NullPointerException if {@code text} is null
 * @throws IllegalArgumentException if {@code label} is negative
 */
public record LabeledText(String text, int label) {

    /** Validates the components. */
    public LabeledText {
        Objects.requireNonNull(text, "text");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
    }
}
