package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.compare.CompareResults;
import dev.peft4j.examples.compare.MethodResult;
import dev.peft4j.examples.compare.TinyCompareFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peft compare --quick} end to end on a tiny BERT directory and 40 sentences: every method
 * in its own child JVM, the table, {@code results.json} and the files on disk agree.
 */
class CompareCommandTest {

    private static final ObjectMapper MAPPER = PeftRuntime.discover().objectMapper();

    @Test
    void quickComparisonOfAllFiveMethodsIsConsistentWithWhatIsOnDisk(@TempDir Path dir) throws Exception {
        ObjectNode recipe = TinyCompareFixture.recipe(dir, MAPPER);
        TinyCompareFixture.allMethods(recipe);
        Path config = dir.resolve("compare.json");
        Files.writeString(config, MAPPER.writeValueAsString(recipe));
        Path output = dir.resolve("out");

        CliRun run = CliRun.of("compare", "--quick", "--config", config.toString(), "--output", output.toString(), "--no-progress");

        assertThat(run.err()).isEmpty();
        assertThat(run.status()).isZero();
        CompareResults results = MAPPER.readValue(output.resolve("results.json").toFile(), CompareResults.class);
        assertThat(results.quick()).isTrue();
        assertThat(results.methods()).extracting(MethodResult::method).containsExactly("full", "lora", "bottleneck", "prefix", "prompt");
        assertThat(results.recipe().get("max_train_samples").asInt()).isEqualTo(256);
        assertThat(results.recipe().get("methods").get("bottleneck").get("placement").asText()).isEqualTo("houlsby");
        assertThat(results.recipe().get("methods").get("lora").get("lr").asDouble()).isEqualTo(1e-3);
        assertThat(results.environment().get("jdk").asText()).isNotBlank();
        for (MethodResult m : results.methods()) {
            assertThat(m.status()).as(m.method()).isEqualTo(MethodResult.OK);
            assertThat(run.out()).contains("| " + m.method() + " | ");
            assertThat(run.out()).contains(m.method() + ": accuracy ");
            assertThat(m.trainablePercent()).as(m.method()).isCloseTo(100.0 * m.trainableParams() / m.allParams(), within(1e-12));
            assertThat(m.trainableParams()).isPositive().isLessThanOrEqualTo(m.allParams());
            // 32 training sentences in batches of 8
            assertThat(m.trainLosses()).hasSize(4).allSatisfy(loss -> assertThat(loss).isFinite().isPositive());
            assertThat(m.epochs()).hasSize(1);
            assertThat(m.medianStepMillis()).isPositive();
            assertThat(m.tokensPerSecond()).isPositive();
            assertThat(m.wallSeconds()).isPositive();
            Path adapter = output.resolve(m.adapterDir());
            assertThat(m.checkpoint().adapterBytes()).as(m.method()).isEqualTo(
                    Files.size(adapter.resolve(AdapterCheckpoint.CONFIG_FILE)) + Files.size(adapter.resolve(AdapterCheckpoint.WEIGHTS_FILE)));
            assertThat(m.checkpoint().ratio()).isEqualTo((double) m.checkpoint().adapterBytes() / m.checkpoint().fullModelBytes());
            assertThat(m.memory().idleRssBytes()).isPositive();
            assertThat(m.memory().measuredOverIdleBytes()).isEqualTo(m.memory().peakRssBytes() - m.memory().idleRssBytes());
            assertThat(m.memory().accountedOverIdleBytes()).isEqualTo(m.memory().accountedGradientBytes()
                    + m.memory().accountedOptimizerBytes() + m.memory().accountedActivationBytes());
            assertThat(m.config().get("peft_type").asText()).isEqualTo(m.peftType());
            assertThat(accuracyFromPredictions(output.resolve(m.predictionsFile()), 8)).as(m.method()).isEqualTo(m.accuracy());
            assertThat(Files.readString(output.resolve(m.method()).resolve("metrics.prom")))
                    .contains("peft_train_step_seconds_count{method=\"" + m.method() + "\"} 4");
        }
        String html = Files.readString(output.resolve("report.html"));
        for (String chart : List.of("loss.png", "accuracy.png", "memory.png", "checkpoint.png", "forgetting.png")) {
            byte[] png = Files.readAllBytes(output.resolve("charts").resolve(chart));
            assertThat(png).as(chart).startsWith(0x89, 'P', 'N', 'G');
            // the same image, inlined, so report.html can be shared alone
            assertThat(html).as(chart).contains("data:image/png;base64," + Base64.getEncoder().encodeToString(png));
        }
        for (MethodResult m : results.methods()) {
            assertThat(html).contains(m.method());
        }
        assertThat(Files.readString(output.resolve("metrics.prom"))).contains("method=\"prompt\"");
        assertThat(run.out()).contains("report: " + output.resolve("report.html"));
        MethodResult full = results.methods().getFirst();
        assertThat(full.trainableParams()).isEqualTo(full.allParams());
        for (MethodResult m : results.methods()) {
            MethodResult.Forgetting forgetting = m.forgetting();
            assertThat(forgetting.corpus()).isEqualTo("uncertainty-conll2010.csv");
            assertThat(forgetting.sentences()).isEqualTo(20);
            assertThat(forgetting.meanCosine()).isBetween(-1.0, 1.0).isGreaterThanOrEqualTo(forgetting.minCosine());
            boolean peft = m != full;
            // with the adapter disabled every PEFT method gives back the base model bit for bit; full has no adapter
            assertThat(forgetting.disabledEmbeddingsIdentical()).as(m.method()).isEqualTo(peft ? Boolean.TRUE : null);
            assertThat(forgetting.disabledLogitsIdentical()).as(m.method()).isEqualTo(peft ? Boolean.TRUE : null);
            assertThat(run.out()).containsPattern("\\| " + m.method() + " \\|.*\\| "
                    + String.format(java.util.Locale.ROOT, "%.4f", forgetting.meanCosine()) + " \\| " + (peft ? "yes" : "n/a") + " \\|");
        }
        // full fine-tuning's adapter is the whole model: the same tensors as the full checkpoint, another header
        assertThat((double) full.checkpoint().adapterBytes()).isCloseTo(full.checkpoint().fullModelBytes(), within(2000.0));
        assertThat(results.methods().get(3).config().get("num_virtual_tokens").asInt()).isEqualTo(4);
    }

    @Test
    void aMethodWhoseLossTurnsNaNFailsAloneAndTheRunExitsWithOne(@TempDir Path dir) throws Exception {
        ObjectNode recipe = TinyCompareFixture.recipe(dir, MAPPER);
        ObjectNode methods = recipe.putObject("methods");
        // AdamW moves every weight by about lr in the first update: float32 overflows and the loss becomes NaN
        methods.putObject("full").put("lr", 1e38);
        methods.putObject("lora");
        Path config = dir.resolve("compare.json");
        Files.writeString(config, MAPPER.writeValueAsString(recipe));
        Path output = dir.resolve("out");

        CliRun run = CliRun.of("compare", "--quick", "--config", config.toString(), "--output", output.toString(), "--no-progress");

        assertThat(run.status()).isEqualTo(1);
        CompareResults results = MAPPER.readValue(output.resolve("results.json").toFile(), CompareResults.class);
        MethodResult full = results.methods().get(0);
        assertThat(full.status()).isEqualTo(MethodResult.FAILED);
        assertThat(full.failure()).matches("training loss is NaN at update [1-3]; lower the learning rate or check the inputs");
        assertThat(full.accuracy()).isNull();
        assertThat(results.methods().get(1).status()).isEqualTo(MethodResult.OK);
        assertThat(run.out()).contains("| full | failed: training loss is NaN at update").contains("| lora | ")
                .contains("full: FAILED: training loss is NaN");
        assertThat(run.err()).startsWith("peft: 1 of 2 methods failed: full (training loss is NaN at update");
        assertThat(Files.readString(output.resolve("report.html"))).contains("training loss is NaN");
    }

    /** @return the share of lines whose {@code predicted} equals their {@code label} */
    private static double accuracyFromPredictions(Path file, int expectedLines) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(expectedLines);
        int correct = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = MAPPER.readTree(lines.get(i));
            assertThat(line.get("index").asInt()).isEqualTo(i);
            double sum = 0;
            for (JsonNode p : line.get("probabilities")) {
                sum += p.asDouble();
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
            correct += line.get("predicted").asInt() == line.get("label").asInt() ? 1 : 0;
        }
        return (double) correct / lines.size();
    }
}
