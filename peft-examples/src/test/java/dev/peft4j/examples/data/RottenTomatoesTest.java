package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RottenTomatoesTest {

    @TempDir
    Path dir;

    @Test
    void readsTheFileLayout() throws IOException {
        // As in polarity-en-pang&lee2.csv: BOM, no header, quoted fields, " \n" inside the quotes, CRLF.
        Path file = Files.writeString(dir.resolve("polarity.csv"), "\uFEFF\"1\",\"a \"\" quoted \"\" gem . \n\"\r\n"
                + "\"-1\",\"it all feels like a sketch gone wrong . \n\"\r\n"
                + "\"-1\",\"no space before the newline\n\"\r\n", StandardCharsets.UTF_8);
        assertThat(RottenTomatoes.read(file)).containsExactly(
                new LabeledText("a \" quoted \" gem .", 1),
                new LabeledText("it all feels like a sketch gone wrong .", 0),
                new LabeledText("no space before the newline", 0));
        assertThat(RottenTomatoes.labelNames()).containsExactly("negative", "positive");
    }

    /**
     * The real file, fetched with {@code fetch-data.sh} when it is missing (CI: a fresh clone with
     * apt-get as root). Never skipped: without the data this fails with the message saying what to do.
     */
    @Test
    void realSentencesAreFourThousandBalancedAndSplit3200To800() throws IOException {
        List<LabeledText> rows = RottenTomatoes.load();
        assertThat(rows).hasSize(RottenTomatoes.SIZE);
        assertThat(LabelCounts.of(rows)).isEqualTo(Map.of(0, 2000, 1, 2000));
        assertThat(rows.get(0)).isEqualTo(new LabeledText("the rock is destined to be the 21st century's new \" conan \""
                + " and that he's going to make a splash even greater than arnold schwarzenegger , jean-claud van damme"
                + " or steven segal .", 1));
        assertThat(rows.get(1999).label()).isEqualTo(1);
        assertThat(rows.get(2000)).isEqualTo(new LabeledText("simplistic , silly and tedious .", 0));
        assertThat(rows.get(3999)).isEqualTo(new LabeledText("it all feels like a monty python sketch gone horribly wrong .", 0));
        assertThat(rows).allSatisfy(row -> assertThat(row.text()).isNotBlank().isEqualTo(row.text().strip()));

        DatasetSplit split = StratifiedSplit.split(rows, 0.2, 42);
        assertThat(split.train()).hasSize(3200);
        assertThat(split.test()).hasSize(800);
        assertThat(LabelCounts.of(split.train())).isEqualTo(Map.of(0, 1600, 1, 1600));
        assertThat(LabelCounts.of(split.test())).isEqualTo(Map.of(0, 400, 1, 400));
        // Pins the split itself: runs compared across versions must train and test on the same rows.
        assertThat(split.train().get(0)).isEqualTo(new LabeledText("there's undeniable enjoyment to be had from films"
                + " crammed with movie references , but the fun wears thin -- then out -- when there's nothing else happening .", 0));
        assertThat(split.test().get(0)).isEqualTo(new LabeledText("more of a career curio than a major work .", 0));
    }
}
