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

    private Result run(Map<String, String> environment) throws IOException, InterruptedException {
        Path stderr = dir.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(bash().toString(), script().toString())
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
}
