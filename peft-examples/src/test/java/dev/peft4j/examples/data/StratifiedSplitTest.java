package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    /** Like the Rotten Tomatoes file: 2,000 positive rows, then 2,000 negative ones. */
    private static List<LabeledText> balanced() {
        return Stream.concat(
                IntStream.range(0, 2000).mapToObj(i -> new LabeledText("positive " + i, 1)),
                IntStream.range(0, 2000).mapToObj(i -> new LabeledText("negative " + i, 0))).toList();
    }

    @Test
    void fourThousandBalancedRowsAtOneFifthGiveExactly3200And800() {
        DatasetSplit split = StratifiedSplit.split(balanced(), 0.2, 42);
        assertThat(split.train()).hasSize(3200);
        assertThat(split.test()).hasSize(800);
        assertThat(LabelCounts.of(split.train())).isEqualTo(Map.of(0, 1600, 1, 1600));
        assertThat(LabelCounts.of(split.test())).isEqualTo(Map.of(0, 400, 1, 400));
    }

    @Test
    void everyRowLandsInExactlyOnePart() {
        List<LabeledText> rows = balanced();
        DatasetSplit split = StratifiedSplit.split(rows, 0.2, 7);
        List<LabeledText> all = new ArrayList<>(split.train());
        all.addAll(split.test());
        assertThat(all).containsExactlyInAnyOrderElementsOf(rows);
    }

    @Test
    void classesAreInterleavedNotBlocked() {
        DatasetSplit split = StratifiedSplit.split(balanced(), 0.2, 42);
        assertThat(LabelCounts.of(split.train().subList(0, 100))).containsOnlyKeys(0, 1);
        assertThat(LabelCounts.of(split.test().subList(0, 50))).containsOnlyKeys(0, 1);
    }

    @Test
    void sameSeedSameSplitDifferentSeedDifferentSplit() {
        List<LabeledText> rows = balanced();
        DatasetSplit first = StratifiedSplit.split(rows, 0.2, 42);
        assertThat(StratifiedSplit.split(rows, 0.2, 42)).isEqualTo(first);
        DatasetSplit other = StratifiedSplit.split(rows, 0.2, 43);
        assertThat(other.train()).isNotEqualTo(first.train());
        assertThat(other.test()).doesNotContainSequence(first.test().subList(0, 5));
        assertThat(new java.util.HashSet<>(other.test())).isNotEqualTo(new java.util.HashSet<>(first.test()));
    }

    @Test
    void unevenClassesRoundPerClass() {
        List<LabeledText> rows = new ArrayList<>();
        IntStream.range(0, 7).forEach(i -> rows.add(new LabeledText("a" + i, 0)));
        IntStream.range(0, 3).forEach(i -> rows.add(new LabeledText("b" + i, 1)));
        rows.add(new LabeledText("c", 2));
        DatasetSplit split = StratifiedSplit.split(rows, 0.25, 1);
        // round(7 * 0.25) = 2, round(3 * 0.25) = 1, round(1 * 0.25) = 0
        assertThat(LabelCounts.of(split.test())).isEqualTo(Map.of(0, 2, 1, 1));
        assertThat(LabelCounts.of(split.train())).isEqualTo(Map.of(0, 5, 1, 2, 2, 1));
    }

    @Test
    void inputIsNotModified() {
        List<LabeledText> rows = new ArrayList<>(balanced());
        List<LabeledText> copy = List.copyOf(rows);
        StratifiedSplit.split(rows, 0.2, 42);
        assertThat(rows).isEqualTo(copy);
    }

    @Test
    void rejectsBadFractionsAndEmptyInput() {
        assertThatThrownBy(() -> StratifiedSplit.split(balanced(), 1.0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("testFraction must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> StratifiedSplit.split(balanced(), Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("testFraction must be in (0, 1), got NaN");
        assertThatThrownBy(() -> StratifiedSplit.split(List.of(), 0.2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot split an empty list of rows");
    }
}
