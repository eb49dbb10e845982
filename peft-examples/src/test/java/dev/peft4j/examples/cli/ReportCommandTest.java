package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.examples.compare.CompareResults;
import dev.peft4j.examples.compare.CompareResultsFixture;
import dev.peft4j.examples.compare.CompareResultsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peft report RESULTS_JSON [--output DIR]}: re-renders a saved comparison. */
class ReportCommandTest {

    @Test
    void rendersTheReportAndMetricsBesideTheResultsFile(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("results.json");
        CompareResultsReader.mapper().writerWithDefaultPrettyPrinter().writeValue(results.toFile(),
                CompareResultsFixture.results());

        CliRun run = CliRun.of("report", results.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("wrote " + dir.resolve("report.html") + System.lineSeparator() + "wrote "
                + dir.resolve("metrics.prom") + System.lineSeparator());
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<td>bottleneck</td>").contains("failed: " + CompareResultsFixture.PREFIX_FAILURE)
                .contains("<td>max_length</td><td>64</td>").contains("<td>djl</td><td>0.36.0</td>")
                .contains("<td>0.7925</td>");
        assertThat(dir.resolve("charts/loss.png")).isRegularFile();
        assertThat(Files.readString(dir.resolve("metrics.prom"))).contains("peft_compare_accuracy{method=\"lora\"} 0.7925");
    }

    @Test
    void theSnakeCaseJsonRoundTrips(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("results.json");
        CompareResults written = CompareResultsFixture.results();
        CompareResultsReader.mapper().writeValue(results.toFile(), written);

        assertThat(Files.readString(results)).contains("\"trainable_params\":74498").contains("\"started_at\":")
                .contains("\"accounted_gradient_bytes\":");
        CompareResults read = CompareResultsReader.read(results);
        // A JsonNode field holding JSON null reads back as NullNode, not Java null: compare as written JSON.
        assertThat(CompareResultsReader.mapper().writeValueAsString(read)).isEqualTo(Files.readString(results));
        assertThat(read.methods()).extracting(m -> m.method(), m -> m.accuracy()).containsExactly(
                Tuple.tuple("full", 0.8412), Tuple.tuple("lora", 0.7925),
                Tuple.tuple("bottleneck", 0.805), Tuple.tuple("prefix", null),
                Tuple.tuple("prompt", 0.6313));
        assertThat(read.methods().get(1).memory()).isEqualTo(written.methods().get(1).memory());
        assertThat(read.methods().get(1).trainLosses()).isEqualTo(written.methods().get(1).trainLosses());
    }

    @Test
    void writesIntoTheOutputFolderWhenGiven(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("results.json");
        CompareResultsReader.mapper().writeValue(results.toFile(), CompareResultsFixture.results());
        Path out = dir.resolve("elsewhere/report");

        CliRun run = CliRun.of("report", results.toString(), "--output", out.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(out.resolve("report.html")).isRegularFile();
        assertThat(out.resolve("metrics.prom")).isRegularFile();
        assertThat(out.resolve("charts/memory.png")).isRegularFile();
        assertThat(dir.resolve("report.html")).doesNotExist();
    }

    @Test
    void aDivergedLossWrittenAsNaNIsRead(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("results.json");
        String json = CompareResultsReader.mapper().writeValueAsString(CompareResultsFixture.results())
                .replaceFirst("\"train_losses\":\\[[0-9.]+,", "\"train_losses\":[NaN,\"NaN\",");

        Files.writeString(results, json);

        assertThat(CompareResultsReader.read(results).methods().getFirst().trainLosses()).startsWith(Double.NaN, Double.NaN);
        assertThat(CliRun.of("report", results.toString()).status()).isZero();
    }

    @Test
    void badInputIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.json");
        assertOneLine(CliRun.of("report", missing.toString()),
                "peft: cannot read results file " + missing + ": it does not exist");
        assertOneLine(CliRun.of("report", dir.toString()), "peft: cannot read results file " + dir + ": it is not a file");

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"started_at\": \"x\",\n \"methods\": [}");
        assertOneLine(CliRun.of("report", broken.toString()), "peft: cannot read results file " + broken
                + ": Unexpected close marker '}': expected ']' (for Array starting at line 2, column 13) (line 2, column 14)");

        Path unknown = Files.writeString(dir.resolve("unknown.json"), "{\"methods\": [], \"colour\": 1}");
        CliRun run = CliRun.of("report", unknown.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: cannot read results file " + unknown + ": Unrecognized field \"colour\"")
                .hasLineCount(1);

        Path lm = Files.writeString(dir.resolve("lm.json"), "{\"base\": {\"key\": \"k\", \"files_sha256\": {}}, \"methods\": []}");
        assertOneLine(CliRun.of("report", lm.toString()), "peft: cannot read results file " + lm + ": it is a 'peft compare-lm'"
                + " results file; 'peft report' re-renders 'peft compare' results only (compare-lm writes its report.html itself)");

        Path noMethods = Files.writeString(dir.resolve("empty.json"), "{\"started_at\": \"x\"}");
        assertOneLine(CliRun.of("report", noMethods.toString()),
                "peft: cannot read results file " + noMethods + ": no 'methods' array");

        Path results = dir.resolve("results.json");
        CompareResultsReader.mapper().writeValue(results.toFile(), CompareResultsFixture.results());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertOneLine(CliRun.of("report", results.toString(), "--output", file.toString()),
                "peft: cannot write to " + file + ": it exists and is not a folder");
        assertOneLine(CliRun.of("report"), "peft: Missing required parameter: 'RESULTS_JSON' (see 'peft report --help')");
    }

    @Test
    void helpDescribesTheCommand() {
        CliRun run = CliRun.of("report", "--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("Usage: peft report").contains("RESULTS_JSON").contains("--output=DIR");
        assertThat(CliRun.of("--help").out()).contains("report");
    }

    private static void assertOneLine(CliRun run, String expected) {
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).isEqualTo(expected + System.lineSeparator());
    }
}
