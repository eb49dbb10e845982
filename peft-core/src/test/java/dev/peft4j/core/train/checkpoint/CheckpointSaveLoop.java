package dev.peft4j.core.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The child JVM of {@link TrainingCheckpointCrashTest}: saves synthetic snapshots of steps
 * {@code first, first+1, ...} (1 MB per tensor) into {@code args[0]} with
 * {@code save_total_limit} 2, printing {@code saved N} after each, until killed. It never starts DJL.
 */
public final class CheckpointSaveLoop {

    static final int SIZE = 256 * 1024;

    private CheckpointSaveLoop() {}

    /**
     * @param args the checkpoints folder and the first step
     * @throws IOException if a save fails
     */
    public static void main(String[] args) throws IOException {
        TrainingCheckpointWriter writer = new TrainingCheckpointWriter(Path.of(args[0]), "{\"peft_type\": \"TEST\"}",
                "{\"purpose\": \"crash test\"}", 2);
        for (long step = Long.parseLong(args[1]); ; step++) {
            writer.save(SyntheticSnapshots.at(step, SIZE));
            System.out.println("saved " + step);
            System.out.flush();
        }
    }
}
