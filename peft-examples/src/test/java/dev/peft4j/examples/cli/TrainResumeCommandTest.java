package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peft train --save-steps} and {@code --resume}: a LoRA run (dropout 0.1, warm-up) on 40
 * sentences, batches of 8 accumulated in pairs: 3 updates per epoch, 2 epochs. A copy of its
 * checkpoint folder cut back to step-2 is what a run killed during update 3 leaves; resuming it
 * must give the same loss curve and the same adapter.
 */
class TrainResumeCommandTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    static Path dir;

    private static Path uninterrupted;

    @BeforeAll
    static void trainWithCheckpoints() {
        uninterrupted = dir.resolve("uninterrupted");
        CliRun run = CliRun.of("train", "--method", "lora", "--r", "4", "--epochs", "2", "--batch-size", "8",
                "--gradient-accumulation-steps", "2", "--max-train-samples", "40", "--max-eval-samples", "16",
                "--save-steps", "2", "--no-progress", "--output", uninterrupted.toString());
        assertThat(run.status()).as(run.err()).isZero();
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** A copy of the run folder as a kill during update 3 leaves it: only step-2, latest naming it. */
    private static Path interruptedCopy(String name) throws IOException {
        Path copy = dir.resolve(name);
        Path checkpoints = Files.createDirectories(copy.resolve("checkpoints"));
        Path step2 = uninterrupted.resolve("checkpoints/step-2");
        try (Stream<Path> files = Files.list(step2)) {
            Files.createDirectories(checkpoints.resolve("step-2"));
            for (Path file : files.toList()) {
                Files.copy(file, checkpoints.resolve("step-2").resolve(file.getFileName()));
            }
        }
        Files.writeString(checkpoints.resolve("latest"), "step-2\n");
        return copy;
    }

    @Test
    void checkpointsAreWrittenEveryTwoUpdatesAndAtTheEnd() throws IOException {
        try (Stream<Path> entries = Files.list(uninterrupted.resolve("checkpoints"))) {
            assertThat(entries.map(p -> p.getFileName().toString()).sorted()).containsExactly("latest", "step-2", "step-4", "step-6");
        }
        assertThat(Files.readString(uninterrupted.resolve("checkpoints/latest"))).isEqualTo("step-6\n");
        JsonNode runJson = json(uninterrupted.resolve("checkpoints/step-2/run.json"));
        assertThat(runJson.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(runJson.get("method_config").get("r").asInt()).isEqualTo(4);
        assertThat(runJson.get("recipe").get("gradient_accumulation_steps").asInt()).isEqualTo(2);
        assertThat(runJson.get("max_train_samples").asInt()).isEqualTo(40);
        assertThat(runJson.get("save_steps").asInt()).isEqualTo(2);
        JsonNode state = json(uninterrupted.resolve("checkpoints/step-2/trainer_state.json"));
        assertThat(state.get("global_step").asInt()).isEqualTo(2);
        assertThat(state.get("total_steps").asInt()).isEqualTo(6);
        assertThat(state.get("next_batch").asInt()).isEqualTo(4);
        // the final checkpoint's adapter is the run's adapter
        assertThat(SafetensorsReader.read(uninterrupted.resolve("checkpoints/step-6/adapter_model.safetensors")).tensors())
                .isEqualTo(SafetensorsReader.read(uninterrupted.resolve("adapter_model.safetensors")).tensors());
    }

    @Test
    void aResumedRunRepeatsTheUninterruptedLossCurveAndAdapter() throws IOException {
        Path resumed = interruptedCopy("resumed");
        CliRun run = CliRun.of("train", "--resume", resumed.toString(), "--no-progress", "--epochs", "2");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("resuming from " + resumed.resolve("checkpoints/step-2") + ": 2 of 6 updates done (epoch 1, batch 4)")
                .contains("lora on all-minilm-l6-v2: 40 train / 16 held-out sentences");

        JsonNode want = json(uninterrupted.resolve("results.json"));
        JsonNode got = json(resumed.resolve("results.json"));
        assertThat(got.get("train_losses")).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(got.get("train_losses").get(i).asDouble()).as("loss of update %d", i)
                    .isCloseTo(want.get("train_losses").get(i).asDouble(), within(1e-6));
        }
        assertThat(got.get("accuracy").asDouble()).isEqualTo(want.get("accuracy").asDouble());
        assertThat(got.get("loss").asDouble()).isCloseTo(want.get("loss").asDouble(), within(1e-6));
        assertThat(got.get("resumed_from").asText()).isEqualTo(resumed.resolve("checkpoints/step-2").toString());
        assertThat(SafetensorsReader.read(resumed.resolve("adapter_model.safetensors")).tensors())
                .isEqualTo(SafetensorsReader.read(uninterrupted.resolve("adapter_model.safetensors")).tensors());
        assertThat(Files.readString(resumed.resolve("checkpoints/latest"))).isEqualTo("step-6\n");
        // tokens/s counts only the 4 updates this process ran: 2 of the 6 were before the checkpoint
        double tokensThisProcess = got.get("tokens_per_second").asDouble() * got.get("wall_seconds").asDouble();
        assertThat(tokensThisProcess).isPositive().isLessThan(0.85 * got.get("tokens_seen").asDouble());
        JsonNode fresh = json(uninterrupted.resolve("results.json"));
        assertThat(fresh.get("tokens_per_second").asDouble() * fresh.get("wall_seconds").asDouble())
                .isCloseTo(fresh.get("tokens_seen").asDouble(), within(1.0));
    }

    @Test
    void resumingAFinishedRunDoesNothing() throws IOException {
        byte[] results = Files.readAllBytes(uninterrupted.resolve("results.json"));
        CliRun run = CliRun.of("train", "--resume", uninterrupted.toString(), "--no-progress");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("nothing to do: " + uninterrupted + " already finished all 6 updates" + NL);
        assertThat(Files.readAllBytes(uninterrupted.resolve("results.json"))).isEqualTo(results);
    }

    @Test
    void aNewRunIntoAnEarlierRunsFolderIsRefused() throws IOException {
        byte[] results = Files.readAllBytes(uninterrupted.resolve("results.json"));
        CliRun run = CliRun.of("train", "--method", "lora", "--r", "4", "--save-steps", "5", "--output", uninterrupted.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + uninterrupted + " holds a peft train run (results.json / checkpoints); use --resume "
                + uninterrupted + " or another --output" + NL);
        assertThat(Files.readAllBytes(uninterrupted.resolve("results.json"))).isEqualTo(results);

        Path interrupted = interruptedCopy("elsewhere");
        CliRun resumed = CliRun.of("train", "--resume", interrupted.toString(), "--output", uninterrupted.toString());
        assertThat(resumed.status()).isEqualTo(1);
        assertThat(resumed.err()).isEqualTo("peft: " + uninterrupted + " holds a peft train run (results.json / checkpoints); use --resume "
                + uninterrupted + " or another --output" + NL);
        assertThat(Files.readAllBytes(uninterrupted.resolve("results.json"))).isEqualTo(results);
    }

    @Test
    void aResumeDirWithoutACheckpointIsOneLine() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun run = CliRun.of("train", "--resume", empty.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: no training checkpoint in " + empty + " (looked for " + empty.resolve("checkpoints/latest")
                + ", " + empty.resolve("latest") + " and " + empty.resolve("trainer_state.json")
                + "; peft train --save-steps N writes them)" + NL);
    }

    @Test
    void aDamagedCheckpointIsOneLine() throws IOException {
        Path damaged = interruptedCopy("damaged");
        Path optimizer = damaged.resolve("checkpoints/step-2/optimizer.safetensors");
        try (var channel = Files.newByteChannel(optimizer, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(optimizer) / 2);
        }
        CliRun run = CliRun.of("train", "--resume", damaged.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: training checkpoint " + damaged.resolve("checkpoints/step-2") + " is damaged: ")
                .contains("optimizer.safetensors").endsWith(NL).hasLineCount(1);

        Files.copy(uninterrupted.resolve("checkpoints/step-2/optimizer.safetensors"), optimizer,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(damaged.resolve("checkpoints/step-2/run.json"));
        assertThat(CliRun.of("train", "--resume", damaged.toString()).err()).isEqualTo("peft: training checkpoint "
                + damaged.resolve("checkpoints/step-2") + " is damaged: missing run.json" + NL);

        String runJson = Files.readString(uninterrupted.resolve("checkpoints/step-2/run.json"));
        Files.writeString(damaged.resolve("checkpoints/step-2/run.json"), runJson.replaceFirst("\"method\"\\s*:\\s*\"lora\"", "\"method\": \"bogus\""));
        assertThat(Files.readString(damaged.resolve("checkpoints/step-2/run.json"))).contains("bogus");
        assertThat(CliRun.of("train", "--resume", damaged.toString()).err()).isEqualTo("peft: training checkpoint "
                + damaged.resolve("checkpoints/step-2") + " is damaged: run.json names method 'bogus' but peft_type LORA,"
                + " whose method is 'lora'" + NL);
    }

    @Test
    void flagsThatContradictTheCheckpointAreRefused() throws IOException {
        Path copy = interruptedCopy("mismatch");
        Path step2 = copy.resolve("checkpoints/step-2");
        String keeps = "; a resumed run keeps the checkpoint's config" + NL;
        assertThat(CliRun.of("train", "--resume", copy.toString(), "--lr", "0.001").err())
                .isEqualTo("peft: cannot resume from " + step2 + ": its lr is 5.0E-4, the command line says 0.001" + keeps);
        assertThat(CliRun.of("train", "--resume", copy.toString(), "--r", "8").err())
                .isEqualTo("peft: cannot resume from " + step2 + ": its r is 4, the command line says 8" + keeps);
        assertThat(CliRun.of("train", "--resume", copy.toString(), "--max-train-samples", "32").err())
                .isEqualTo("peft: cannot resume from " + step2 + ": its max_train_samples is 40, the command line says 32" + keeps);
        assertThat(CliRun.of("train", "--resume", copy.toString(), "--method", "full").err())
                .isEqualTo("peft: cannot resume from " + step2 + ": it trains LORA, not --method full (FULL)" + NL);
        assertThat(CliRun.of("train", "--save-steps", "0", "--method", "lora").err())
                .isEqualTo("peft: --save-steps must be > 0, got 0" + NL);
        assertThat(CliRun.of("train").err()).isEqualTo("peft: --method is required (or --resume DIR to continue a run)" + NL);
    }
}
