package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User errors of {@code peft compare} end the command before any child JVM starts: one line, status 1. */
class CompareCommandErrorsTest {

    @Test
    void anOutputFolderWithAnEarlierRunIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("results.json"), "{}");
        CliRun run = CliRun.of("compare", "--output", dir.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + dir + " holds an earlier run (results.json or a method's child-spec.json); "
                + "use another --output" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnknownRecipeKeyIsNamed(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("compare.json");
        Files.writeString(config, "{\"model\": \"all-minilm-l6-v2\", \"epoch\": 2}");
        CliRun run = CliRun.of("compare", "--config", config.toString(), "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: " + config + ": unknown key 'epoch'; known: [batch_size, child_heap, data, epochs,");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aBadMethodValueFailsBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("compare", "--methods", "lora,lorra", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: unknown method 'lorra'; known: [");
    }

    @Test
    void anUnknownFlagIsNamed(@TempDir Path dir) {
        CliRun run = CliRun.of("compare", "--quik", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: unknown option '--quik'; peft compare takes --config, --methods, --quick, --output, "
                + "--progress, --no-progress and the recipe options [--batch-size, --epochs, --gradient-accumulation-steps, --lr, "
                + "--max-grad-norm, --max-length, --seed, --warmup-ratio, --weight-decay]" + System.lineSeparator());
    }

    @Test
    void aConfigThatIsNotAnObjectIsRefused(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("compare.json");
        Files.writeString(config, "[1, 2]");
        CliRun run = CliRun.of("compare", "--config", config.toString(), "--output", dir.resolve("out").toString());
        assertThat(run.err()).isEqualTo("peft: " + config + ": a compare recipe must hold one JSON object" + System.lineSeparator());
    }
}
