package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --help} on every command, and argument errors as one line with status 1. None of these loads a model. */
class CliUsageTest {

    private static final String NL = System.lineSeparator();

    @Test
    void helpWorksOnEveryCommandWithoutItsRequiredOptions() {
        for (String command : new String[] {"train", "compare", "eval", "predict", "plan", "embed", "methods"}) {
            CliRun run = CliRun.of(command, "--help");
            assertThat(run.status()).as(command + ": " + run.err()).isZero();
            assertThat(run.out()).as(command).startsWith("Usage: peft " + command);
        }
        CliRun afterMethod = CliRun.of("train", "--method", "lora", "--help");
        assertThat(afterMethod.status()).as(afterMethod.err()).isZero();
        assertThat(afterMethod.out()).startsWith("Usage: peft train");
    }

    @Test
    void trainHelpListsTheRecipeAndEveryMethodsOptions() {
        for (CliRun run : new CliRun[] {CliRun.of("train", "--help"), CliRun.of("help", "train")}) {
            assertThat(run.status()).isZero();
            assertThat(run.out()).contains("Recipe options (also keys of --config, snake_case):" + NL + "    --batch-size --epochs ")
                    .contains("--lr ").contains("--warmup-ratio")
                    .contains("  lora (LORA):" + NL + "    --alpha-pattern --bias ").contains("--lora-alpha")
                    .contains("  prompt (PROMPT_TUNING):").contains("--num-virtual-tokens")
                    .contains("a regex full-matched");
        }
    }

    @Test
    void argumentErrorsAreOneLineWithStatusOne() {
        assertOneLine(CliRun.of("predict", "--adapter", "x"), "peft: Missing required parameter: 'TEXT' (see 'peft predict --help')");
        assertOneLine(CliRun.of("embed"), "peft: Missing required parameter: 'SENTENCE' (see 'peft embed --help')");
        assertOneLine(CliRun.of("eval", "--batch-size", "abc", "--adapter", "x"),
                "peft: Invalid value for option '--batch-size': 'abc' is not an int (see 'peft eval --help')");
        assertOneLine(CliRun.of("train", "--method", "lora", "--lr"),
                "peft: Missing required parameter for option '--lr' (LR) (an option of the training recipe)");
        CliRun plan = CliRun.of("plan", "--batch-size", "abc");
        assertThat(plan.status()).isEqualTo(1);
        assertThat(plan.err()).startsWith("peft: ").hasLineCount(1);
    }

    @Test
    void numericFlagsNameTheBadValue() {
        assertOneLine(CliRun.of("train", "--method", "lora", "--lr", "nan"), "peft: --lr must be a finite number, got nan");
        assertOneLine(CliRun.of("train", "--method", "lora", "--r", "4.5"), "peft: --r must be a whole number, got 4.5");
    }

    @Test
    void anUnknownConfigKeyListsTheRecipeKeysToo(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"lr\": 0.001, \"rank\": 8}");
        CliRun run = CliRun.of("train", "--method", "lora", "--config", config.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: " + config + ": unknown key 'rank' for LORA training; known: [alpha_pattern, ")
                .contains(", batch_size, ").contains(", lora_alpha, ").contains(", lr, ").contains(", warmup_ratio, ")
                .hasLineCount(1);
    }

    @Test
    void anOutputThatIsAFileIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertOneLine(CliRun.of("train", "--method", "lora", "--output", file.toString()),
                "peft: cannot write to " + file + ": it is a file, not a folder");
        Path below = file.resolve("out");
        assertOneLine(CliRun.of("train", "--method", "lora", "--output", below.toString()),
                "peft: cannot write to " + below + ": " + file + " is a file, not a folder");
    }

    @Test
    void anOutputHoldingAnEarlierRunIsRefused(@TempDir Path dir) throws IOException {
        Path withResults = Files.createDirectories(dir.resolve("run1"));
        Files.writeString(withResults.resolve("results.json"), "{}");
        assertOneLine(CliRun.of("train", "--method", "lora", "--output", withResults.toString()),
                "peft: " + withResults + " holds a peft train run (results.json / checkpoints); use --resume " + withResults
                        + " or another --output");
        Path withCheckpoints = Files.createDirectories(dir.resolve("run2/checkpoints"));
        assertThat(CliRun.of("train", "--method", "lora", "--output", withCheckpoints.getParent().toString()).err())
                .startsWith("peft: " + withCheckpoints.getParent() + " holds a peft train run");
        Path comparison = Files.createDirectories(dir.resolve("compare1"));
        Files.writeString(comparison.resolve("results.json"), "{\"methods\": []}");
        assertOneLine(CliRun.of("train", "--method", "lora", "--output", comparison.toString()),
                "peft: " + comparison + " holds a peft compare run (results.json with methods / report.html); use another --output");
        Path report = Files.createDirectories(dir.resolve("compare2"));
        Files.writeString(report.resolve("report.html"), "<html></html>");
        assertOneLine(CliRun.of("train", "--method", "lora", "--output", report.toString()),
                "peft: " + report + " holds a peft compare run (results.json with methods / report.html); use another --output");
        // a folder of the user's own files passes the check (the run then stops at the --max-length check)
        Path userFolder = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(userFolder.resolve("notes.txt"), "mine");
        assertOneLine(CliRun.of("train", "--method", "lora", "--max-length", "100000", "--output", userFolder.toString()),
                "peft: --max-length must be <= 512 (all-minilm-l6-v2's max_position_embeddings), got 100000");
        assertThat(Files.readString(userFolder.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void aResumeFileIsNamedAsAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("state.json"), "{}");
        assertOneLine(CliRun.of("train", "--resume", file.toString()), "peft: --resume " + file
                + " is a file, not a folder; give a run's output folder, its checkpoints folder, or one step-N folder");
    }

    @Test
    void evalNamesTheOneBadValue(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("adapter.safetensors"), "x");
        assertOneLine(CliRun.of("eval", "--adapter", file.toString()), "peft: --adapter " + file
                + " is a file, not a folder; give the folder holding adapter_config.json and adapter_model.safetensors");
        assertOneLine(CliRun.of("eval", "--adapter", ""), "peft: --adapter must name the adapter folder, got an empty path");
        assertOneLine(CliRun.of("eval", "--adapter", dir.toString(), "--batch-size", "0"), "peft: --batch-size must be > 0, got 0");
        assertOneLine(CliRun.of("predict", "--adapter", file.toString(), "hi"), "peft: --adapter " + file
                + " is a file, not a folder; give the folder holding adapter_config.json and adapter_model.safetensors");
    }

    private static void assertOneLine(CliRun run, String line) {
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).isEqualTo(line + NL);
    }
}
