package dev.peft4j.examples.data;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Class balance of a list of rows: how many rows carry each label. */
public final class LabelCounts {

    private LabelCounts() {
    }

    /**
     * Counts the rows per label.
     *
     * @param rows the rows to count
     * @return label index to number of rows, ascending by label; labels without rows are absent
     */
    public static SortedMap<Integer, Integer> of(List<LabeledText> rows) {
        SortedMap<Integer, Integer> counts = new TreeMap<>();
        for (LabeledText row : rows) {
            counts.merge(row.label(), 1, Integer::sum);
        }
        return Collections.unmodifiableSortedMap(counts);
    }
}
