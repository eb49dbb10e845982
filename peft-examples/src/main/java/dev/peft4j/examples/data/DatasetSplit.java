package dev.peft4j.examples.data;

import java.util.List;

/**
 * A dataset divided into a training part and a held-out test part, e.g. by
 * {@link StratifiedSplit#split(List, double, long)}.
 *
 * @param train the rows to train on, in the order to present them (unmodifiable copy)
 * @param test the held-out rows to evaluate on (unmodifiable copy)
 * @throws NullPointerException if either list or any row is null
 */
public record DatasetSplit(List<LabeledText> train, List<LabeledText> test) {

    /** Copies both lists so the split cannot change afterwards. */
    public DatasetSplit {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }
}
