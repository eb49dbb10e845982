package dev.peft4j.core.train;

import java.util.Objects;

/**
 * One labelled sentence for sequence classification.
 *
 * @param text the raw sentence, tokenized per batch
 * @param label the class index, &gt;= 0 (checked against the model's {@code num_labels} by the trainer)
 */
public record TrainingExample(String text, int label) {

    /**
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code label < 0}
     */
    public TrainingExample {
        Objects.requireNonNull(text, "text");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label + " for \"" + text + "\"");
        }
    }
}
