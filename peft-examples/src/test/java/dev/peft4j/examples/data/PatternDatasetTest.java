package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three corpora of python3-pattern as {@code peft train --dataset} reads them (the real files). */
class PatternDatasetTest {

    private static long count(List<LabeledText> rows, int label) {
        return rows.stream().filter(row -> row.label() == label).count();
    }

    @Test
    void readsEachCorpusWithItsLabels() throws IOException {
        List<LabeledText> uncertainty = PatternDataset.UNCERTAINTY.load();
        assertThat(uncertainty).hasSize(3000);
        assertThat(count(uncertainty, 0)).isEqualTo(1500);
        assertThat(uncertainty.getFirst()).isEqualTo(new LabeledText("Prelingual deafness", 1));   // "1": certain
        assertThat(PatternDataset.UNCERTAINTY.labelNames()).containsExactly("uncertain", "certain");

        List<LabeledText> spam = PatternDataset.SPAM.load();
        assertThat(spam).hasSize(250);
        assertThat(count(spam, 0)).isEqualTo(125);
        assertThat(spam.getFirst().label()).isZero();   // "-1": the HTML "EASY MONEY" mail
        assertThat(spam.getFirst().text()).startsWith("<!DOCTYPE HTML PUBLIC");
        assertThat(PatternDataset.SPAM.labelNames()).containsExactly("spam", "legitimate");

        List<LabeledText> polarity = PatternDataset.POLARITY.load();
        assertThat(polarity).isEqualTo(RottenTomatoes.load());
        assertThat(PatternDataset.POLARITY.labelNames()).isEqualTo(RottenTomatoes.labelNames());
    }

    @Test
    void namesAreTheCliNames() {
        assertThat(PatternDataset.byName("Spam")).isEqualTo(PatternDataset.SPAM);
        assertThatThrownBy(() -> PatternDataset.byName("sst2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown dataset 'sst2'; known: [polarity, uncertainty, spam]");
    }
}
