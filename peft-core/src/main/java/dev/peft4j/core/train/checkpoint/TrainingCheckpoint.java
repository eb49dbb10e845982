package dev.peft4j.core.train.checkpoint;

import dev.peft4j.core.train.TrainingSnapshot;
import java.nio.file.Path;

/**
 * A training checkpoint read back by {@link TrainingCheckpointReader}.
 *
 * @param folder the {@code step-N} folder it was read from
 * @param snapshot the state to resume from
 * @param adapterConfigJson the {@code adapter_config.json} text
 * @param runJson the {@code run.json} text (a JSON object, the caller's description of the run)
 */
public record TrainingCheckpoint(Path folder, TrainingSnapshot snapshot, String adapterConfigJson, String runJson) {

    /** @return the run's output folder: the parent of the {@code checkpoints} folder holding {@link #folder} */
    public Path runFolder() {
        Path parent = folder.toAbsolutePath().normalize().getParent();
        return parent.getParent() == null ? parent : parent.getParent();
    }
}
