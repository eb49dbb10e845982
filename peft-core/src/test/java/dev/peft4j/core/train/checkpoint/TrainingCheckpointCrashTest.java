package dev.peft4j.core.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a saving child JVM (SIGKILL, {@link Process#destroyForcibly}) at 50 random points and
 * checks each time that the folder still holds a whole checkpoint, at least as new as the last
 * one the child reported, and that the next save recovers from whatever the kill left behind.
 */
class TrainingCheckpointCrashTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aKilledSaveAlwaysLeavesAWholeLoadableCheckpoint(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        long next = 1;
        int interruptedSaves = 0;
        for (int kill = 0; kill < 50; kill++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CheckpointSaveLoop.class.getName(), dir.toString(), Long.toString(next))
                    .redirectErrorStream(true)
                    .start();
            AtomicLong reported = new AtomicLong(-1);
            CountDownLatch firstSave = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("saved ")) {
                            reported.set(Long.parseLong(line.substring("saved ".length())));
                            firstSave.countDown();
                        }
                    }
                } catch (IOException closedByTheKill) {
                    // the stream closes when the child is killed
                }
            });
            try {
                assertThat(firstSave.await(60, TimeUnit.SECONDS)).as("the child saved once").isTrue();
                Thread.sleep(random.nextInt(80));
            } finally {
                child.destroyForcibly().waitFor();
            }
            long lowerBound = reported.get();
            reader.join();
            try (var entries = Files.list(dir)) {
                if (entries.anyMatch(entry -> entry.getFileName().toString().endsWith(".staging"))) {
                    interruptedSaves++;
                }
            }
            TrainingCheckpoint checkpoint = loadWhole(dir);
            assertThat(checkpoint.snapshot().state().globalStep()).as("kill %d", kill).isGreaterThanOrEqualTo(lowerBound);
            next = checkpoint.snapshot().state().globalStep() + 1;
        }
        System.out.println("kills that interrupted a save: " + interruptedSaves + " of 50");
        assertThat(interruptedSaves).as("kills that landed inside a save").isGreaterThanOrEqualTo(10);
    }

    private static TrainingCheckpoint loadWhole(Path dir) throws IOException {
        TrainingCheckpoint checkpoint = TrainingCheckpointReader.load(dir);
        SyntheticSnapshots.requireWhole(checkpoint, CheckpointSaveLoop.SIZE);
        return checkpoint;
    }
}
