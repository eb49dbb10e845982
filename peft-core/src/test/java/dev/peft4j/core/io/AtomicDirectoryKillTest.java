package dev.peft4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that saves adapter folders ({@link CheckpointWriterChild}) at 50 random points
 * (fixed seed); after each kill {@link AdapterCheckpoint#read} must find one whole checkpoint, the
 * last one read before or a newer one, never a mix of versions.
 */
class AtomicDirectoryKillTest {

    private static final Pattern VERSION = Pattern.compile("\"version\": (\\d+)");

    @Test
    void aKilledSaveLeavesTheOldOrTheNewCheckpointWhole(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("sentiment");
        AdapterCheckpoint.write(folder, CheckpointWriterChild.config(0), CheckpointWriterChild.tensors(0), java.util.Map.of());
        Random random = new Random(7);
        long last = 0;
        int interrupted = 0;
        List<Long> versions = new ArrayList<>();
        for (int kill = 0; kill < 50; kill++) {
            Process child = new ProcessBuilder(javaExecutable(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    CheckpointWriterChild.class.getName(), folder.toString(), Long.toString(last + 1))
                    .redirectErrorStream(true).start();
            try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).isEqualTo("ready");
                Thread.sleep(random.nextInt(150));
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            if (Files.exists(AtomicDirectory.staging(folder)) || Files.exists(AtomicDirectory.aside(folder))) {
                interrupted++;
            }
            AdapterCheckpoint.Contents read = AdapterCheckpoint.read(folder);
            long version = version(read.configJson());
            assertThat(version).as("kill %d", kill).isGreaterThanOrEqualTo(last);
            assertThat(read.weights().tensors()).hasSize(CheckpointWriterChild.TENSORS);
            read.weights().tensors().values().forEach(tensor -> {
                for (float value : tensor.values()) {
                    assertThat(value).as("a tensor of version %d", version).isEqualTo((float) version);
                }
            });
            assertThat(Files.exists(AtomicDirectory.staging(folder))).isFalse();
            assertThat(Files.exists(AtomicDirectory.aside(folder))).isFalse();
            versions.add(version);
            last = version;
        }
        assertThat(interrupted).as("kills that hit a save in progress").isGreaterThan(10);
        assertThat(last).as("versions seen %s", versions).isGreaterThan(0);
    }

    private static long version(String json) {
        Matcher matcher = VERSION.matcher(json);
        assertThat(matcher.find()).as(json).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
