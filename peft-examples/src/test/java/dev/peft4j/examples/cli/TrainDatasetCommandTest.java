package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peft train --dataset}: the corpus is chosen by name, its label names go into the saved
 * adapter's config, and {@code peft predict} / {@code peft eval} read them back.
 */
class TrainDatasetCommandTest {

    @Test
    void spamRunRecordsItsLabelsWhichPredictAndEvalUse(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("spam");
        CliRun run = CliRun.of("train", "--method", "lora", "--dataset", "spam", "--batch-size", "16", "--warmup-ratio", "0",
                "--max-train-samples", "32", "--max-eval-samples", "16", "--no-progress", "--output", output.toString());
        assertThat(run.status()).as(run.err()).isZero();
        // 250 mails, stratified 80/20: 200 train / 50 held-out, limited to 32 / 16
        assertThat(run.out()).contains("lora on all-minilm-l6-v2 (spam): 32 train / 16 held-out sentences");
        JsonNode provenance = new ObjectMapper().readTree(output.resolve("adapter_config.json").toFile()).get("peft4j");
        assertThat(provenance.get("dataset").asText()).isEqualTo("spam");
        assertThat(provenance.get("label_names").toString()).isEqualTo("[\"spam\",\"legitimate\"]");

        CliRun predict = CliRun.of("predict", "--adapter", output.toString(), "Buy cheap pills now!!!");
        assertThat(predict.status()).as(predict.err()).isZero();
        assertThat(predict.out()).containsPattern("^(spam|legitimate)  spam [0-9.]+  legitimate [0-9.]+  \"Buy cheap pills now!!!\"");

        CliRun eval = CliRun.of("eval", "--adapter", output.toString(), "--max-eval-samples", "16");
        assertThat(eval.status()).as(eval.err()).isZero();
        assertThat(eval.out()).contains(": 16 held-out sentences");
        assertThat(eval.out()).contains(run.out().lines().filter(line -> line.startsWith("epoch 1:")).findFirst().orElseThrow()
                .replaceAll(".*held-out loss ([0-9.]+), accuracy ([0-9.]+), macro-F1 ([0-9.]+).*", "accuracy $2 | macro-F1 $3 | loss $1"));
    }

    @Test
    void unknownDatasetNamesTheKnownOnes() {
        CliRun run = CliRun.of("train", "--method", "lora", "--dataset", "imdb");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: unknown dataset 'imdb'; known: " + List.of("polarity", "uncertainty", "spam")
                + System.lineSeparator());
    }
}
