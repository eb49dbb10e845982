package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeftCliTest {

    @Test
    void embedPrintsTheCosineSimilarityMatrixOfTheRealModel() {
        CliRun run = CliRun.of("embed", "A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply today.");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("loaded all-minilm-l6-v2 (6 layers, hidden 384) in ");
        List<String> rows = Arrays.stream(run.out().split("\n")).filter(line -> line.matches("\\[\\d] +[-0-9.].*")).toList();
        assertThat(rows).hasSize(3);
        double[] first = Arrays.stream(rows.get(0).substring(3).trim().split(" +")).mapToDouble(Double::parseDouble).toArray();
        assertThat(first[0]).isEqualTo(1.0);
        assertThat(first[1]).as("food vs bread").isGreaterThan(0.6);
        assertThat(first[2]).as("food vs stock market").isLessThan(0.2);
        assertThat(run.out()).contains("[3] The stock market fell sharply today.");
    }

    @Test
    void unknownModelIsOneClearLine() {
        CliRun run = CliRun.of("embed", "--model", "gpt-5", "hello");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: unknown model 'gpt-5'; known: [all-minilm-l6-v2, bge-small-en-v1.5]" + System.lineSeparator());
    }

    @Test
    void methodsListsTheInstalledProviders() {
        CliRun run = CliRun.of("methods");
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("FULL").contains("full");
    }

    @Test
    void cosineSimilarityClosedForm() {
        assertThat(CosineSimilarity.of(new float[] {1, 0}, new float[] {0, 1})).isZero();
        assertThat(CosineSimilarity.of(new float[] {3, 4}, new float[] {6, 8})).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(CosineSimilarity.of(new float[] {0, 0}, new float[] {1, 1})).isZero();
    }
}
