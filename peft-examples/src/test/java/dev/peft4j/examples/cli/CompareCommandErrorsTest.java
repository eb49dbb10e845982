package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void aMaxLengthBeyondTheModelsPositionsFailsOnceBeforeAnyChild(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("compare.json");
        Files.writeString(config, "{\"max_length\": 100000}");
        CliRun run = CliRun.of("compare", "--config", config.toString(), "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: max_length must be <= 512 (all-minilm-l6-v2's max_position_embeddings), got 100000"
                + System.lineSeparator());
        assertThat(run.out()).isEmpty();
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMethodsMaxLengthBeyondTheModelsPositionsNamesTheMethod(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("compare.json");
        Files.writeString(config, "{\"methods\": {\"lora\": {}, \"prompt\": {\"max_length\": 600}}}");
        CliRun run = CliRun.of("compare", "--config", config.toString(), "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: methods.prompt: max_length must be <= 512 (all-minilm-l6-v2's max_position_embeddings), "
                + "got 600" + System.lineSeparator());
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aModelFolderWithoutConfigFailsOnceBeforeAnyChild(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectory(dir.resolve("model"));
        Path config = dir.resolve("compare.json");
        Files.writeString(config, "{\"model\": \"" + model + "\"}");
        CliRun run = CliRun.of("compare", "--config", config.toString(), "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: HF model directory " + model + " has no config.json" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aBadRecipeFlagIsBlamedOnTheFlag(@TempDir Path dir) {
        CliRun run = CliRun.of("compare", "--quick", "--epochs", "0", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: --epochs: recipe.epochs must be > 0, got 0" + System.lineSeparator());
    }

    @Test
    void truncatedJsonIsOneCleanLine(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("compare.json");
        Files.writeString(config, "{\"epochs\": 2");
        CliRun run = CliRun.of("compare", "--config", config.toString(), "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + config + " is not valid JSON: unexpected end of input at line 1, column 13"
                + System.lineSeparator());
    }

    @Test
    void theHelpFitsEightyColumnsAndListsEveryTopLevelKey() {
        CliRun run = CliRun.of("compare", "--help");
        assertThat(run.status()).isZero();
        assertThat(run.out().lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        String help = run.out().replaceAll("\\s+", " ");
        for (String key : List.of("model", "data", "test_fraction", "split_seed", "max_train_samples", "max_eval_samples",
                "forgetting_sentences", "method_timeout_minutes", "child_heap", "methods")) {
            assertThat(help).contains(key);
        }
    }

    @Test
    void aPositionalArgumentIsRefused(@TempDir Path dir) {
        CliRun run = CliRun.of("compare", "--quick", "extra-positional", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: unexpected argument 'extra-positional'; peft compare takes no positional arguments"
                + System.lineSeparator());
        CliRun afterValue = CliRun.of("compare", "--epochs", "2", "stray", "--output", dir.resolve("out").toString());
        assertThat(afterValue.err()).isEqualTo("peft: unexpected argument 'stray'; peft compare takes no positional arguments"
                + System.lineSeparator());
    }

    @Test
    void anEmptyMethodsEntryIsNamed(@TempDir Path dir) {
        CliRun run = CliRun.of("compare", "--methods", "lora,,prompt", "--output", dir.resolve("out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: --methods has an empty entry: 'lora,,prompt'; name the methods separated by commas, "
                + "e.g. --methods lora,prompt" + System.lineSeparator());
        CliRun empty = CliRun.of("compare", "--methods=", "--output", dir.resolve("out").toString());
        assertThat(empty.status()).isEqualTo(1);
        assertThat(empty.err()).startsWith("peft: --methods has an empty entry: ");
    }
}
