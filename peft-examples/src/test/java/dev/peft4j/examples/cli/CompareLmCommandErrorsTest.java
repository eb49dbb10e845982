package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peft compare-lm} and {@code peft pretrain-lm} refuse bad arguments before any data or model is touched. */
class CompareLmCommandErrorsTest {

    @Test
    void anEmptyMethodEntryIsNamed(@TempDir Path dir) {
        CliRun run = CliRun.of("compare-lm", "--methods", "lora,,prompt", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: --methods has an empty entry: 'lora,,prompt'; name the methods separated by commas,"
                + " e.g. --methods lora,prompt\n");
    }

    @Test
    void anUnknownMethodListsTheInstalledOnes(@TempDir Path dir) {
        CliRun run = CliRun.of("compare-lm", "--methods", "lora,lorra", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: unknown ").contains("'lorra'; known: [");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aFolderWithAnEarlierRunIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("results.json"), "{}");
        CliRun run = CliRun.of("compare-lm", "--output", dir.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + dir + " holds an earlier run (results.json or a method's child-spec.json);"
                + " use another --output\n");
    }

    @Test
    void threadsMustBeBetweenOneAndTheProcessors(@TempDir Path dir) {
        int processors = Runtime.getRuntime().availableProcessors();
        String allowed = "peft: --threads must be between 1 and " + processors + " (this machine's processors), got ";
        CliRun compare = CliRun.of("compare-lm", "--threads", "0", "--output", dir.resolve("out").toString());
        assertThat(compare.status()).isEqualTo(1);
        assertThat(compare.err()).isEqualTo(allowed + "0\n");
        CliRun pretrain = CliRun.of("pretrain-lm", "--threads", "-2");
        assertThat(pretrain.err()).isEqualTo(allowed + "-2\n");
        CliRun tooMany = CliRun.of("compare-lm", "--threads", "100000", "--output", dir.resolve("out").toString());
        assertThat(tooMany.status()).isEqualTo(1);
        assertThat(tooMany.err()).isEqualTo(allowed + "100000\n");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
