package dev.peft4j.examples.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Splits labelled rows into train and test parts that keep each class's share, reproducibly.
 *
 * <p>The algorithm, with one {@code java.util.Random(seed)} driving every shuffle in this order:
 * <ol>
 *   <li>group the rows by label, keeping their input order, and visit the classes in ascending
 *       label order;</li>
 *   <li>per class of {@code n} rows: shuffle them ({@link Collections#shuffle(List, Random)}),
 *       put the first {@code Math.round(n * testFraction)} in the test part and the rest in the
 *       training part;</li>
 *   <li>shuffle the combined training list, then the combined test list, so classes are
 *       interleaved.</li>
 * </ol>
 * The same rows, fraction and seed therefore always give the same split. For the 4,000 Rotten
 * Tomatoes sentences (2,000 per class) and {@code testFraction} 0.2 that is exactly 3,200 training
 * rows (1,600 per class) and 800 test rows (400 per class). A class too small for its rounded share
 * (e.g. one row at 0.2) contributes no test row.
 */
public final class StratifiedSplit {

    private StratifiedSplit() {
    }

    /**
     * Splits {@code rows} into a stratified train/test pair.
     *
     * @param rows the labelled rows; not modified
     * @param testFraction the share of each class to hold out, strictly between 0 and 1
     * @param seed the seed of the shuffles
     * @return the training and test rows
     * @throws IllegalArgumentException if {@code rows} is empty or {@code testFraction} is not in (0, 1)
     */
    public static DatasetSplit split(List<LabeledText> rows, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("cannot split an empty list of rows");
        }
        SortedMap<Integer, List<LabeledText>> byLabel = new TreeMap<>();
        for (LabeledText row : rows) {
            byLabel.computeIfAbsent(row.label(), label -> new ArrayList<>()).add(row);
        }
        Random random = new Random(seed);
        List<LabeledText> train = new ArrayList<>(rows.size());
        List<LabeledText> test = new ArrayList<>();
        for (Map.Entry<Integer, List<LabeledText>> entry : byLabel.entrySet()) {
            List<LabeledText> members = entry.getValue();
            Collections.shuffle(members, random);
            int testCount = (int) Math.round(members.size() * testFraction);
            test.addAll(members.subList(0, testCount));
            train.addAll(members.subList(testCount, members.size()));
        }
        Collections.shuffle(train, random);
        Collections.shuffle(test, random);
        return new DatasetSplit(train, test);
    }
}
