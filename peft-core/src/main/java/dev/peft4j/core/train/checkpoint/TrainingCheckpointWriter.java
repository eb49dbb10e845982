package dev.peft4j.core.train.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AtomicDirectory;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.train.CheckpointSink;
import dev.peft4j.core.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Writes each {@link TrainingSnapshot} as a versioned folder {@code step-N/} (layout in
 * {@link CheckpointLayout}) so that a crash at any point leaves a whole, loadable checkpoint:
 * the folder is written through a {@link AtomicDirectory} (staging folder beside it, every file
 * fsynced, then renamed into place), and only then is the {@code latest} pointer replaced
 * atomically ({@link AtomicFiles}: temporary file, fsync, rename, parent fsync).
 *
 * <p>With {@code save_total_limit} K &gt; 0 (HF {@code TrainingArguments.save_total_limit}) only
 * the K newest step folders are kept after each save, and never the one {@code latest} names.
 * Folders an earlier crash left half-written are recovered ({@link AtomicDirectory#recoverChildren}) before each save.
 */
public final class TrainingCheckpointWriter implements CheckpointSink {

    private final Path checkpoints;
    private final String adapterConfigJson;
    private final String runJson;
    private final int saveTotalLimit;

    /**
     * @param checkpoints the {@code checkpoints} folder, created when needed
     * @param adapterConfigJson the adapter's {@code adapter_config.json} (HF PEFT's keys)
     * @param runJson a JSON object describing the run, written as {@code run.json}
     * @param saveTotalLimit how many step folders to keep, newest first; 0 keeps all
     * @throws IllegalArgumentException {@code save_total_limit must be >= 0, got -1}
     */
    public TrainingCheckpointWriter(Path checkpoints, String adapterConfigJson, String runJson, int saveTotalLimit) {
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.adapterConfigJson = Objects.requireNonNull(adapterConfigJson, "adapterConfigJson");
        this.runJson = Objects.requireNonNull(runJson, "runJson");
        if (saveTotalLimit < 0) {
            throw new IllegalArgumentException("save_total_limit must be >= 0 (0 keeps all), got " + saveTotalLimit);
        }
        this.saveTotalLimit = saveTotalLimit;
    }

    @Override
    public void save(TrainingSnapshot snapshot) throws IOException {
        Files.createDirectories(checkpoints);
        AtomicDirectory.recoverChildren(checkpoints);
        String name = CheckpointLayout.stepFolderName(snapshot.state().globalStep());
        AtomicDirectory.write(checkpoints.resolve(name), staging -> fill(staging, snapshot));
        AtomicFiles.write(checkpoints.resolve(CheckpointLayout.LATEST), (name + "\n").getBytes(StandardCharsets.UTF_8));
        if (saveTotalLimit > 0) {
            pruneBeyondLimit(name);
        }
    }

    private void fill(Path staging, TrainingSnapshot snapshot) throws IOException {
        AdapterCheckpoint.save(staging, adapterConfigJson, snapshot.adapterWeights(), Map.of("format", "pt"));
        SafetensorsWriter.write(staging.resolve(CheckpointLayout.TRAINABLE_PARAMETERS), snapshot.trainableParameters(),
                Map.of("format", "peft4j"));
        SafetensorsWriter.write(staging.resolve(CheckpointLayout.OPTIMIZER), snapshot.optimizer().tensors(),
                Map.of(CheckpointLayout.STEP_METADATA, Long.toString(snapshot.optimizer().step())));
        AtomicFiles.write(staging.resolve(CheckpointLayout.TRAINER_STATE), json(snapshot));
        AtomicFiles.write(staging.resolve(CheckpointLayout.RUN), runJson.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] json(TrainingSnapshot snapshot) throws JsonProcessingException {
        return CheckpointJson.MAPPER.writeValueAsBytes(snapshot.state());
    }

    /** Deletes the oldest step folders beyond the limit, never {@code latest}'s. */
    private void pruneBeyondLimit(String latest) throws IOException {
        List<Long> steps = new ArrayList<>();
        try (Stream<Path> entries = Files.list(checkpoints)) {
            for (Path entry : entries.toList()) {
                OptionalLong step = CheckpointLayout.stepOf(entry.getFileName().toString());
                if (step.isPresent() && Files.isDirectory(entry)) {
                    steps.add(step.getAsLong());
                }
            }
        }
        steps.sort(java.util.Comparator.reverseOrder());
        for (int i = saveTotalLimit; i < steps.size(); i++) {
            String name = CheckpointLayout.stepFolderName(steps.get(i));
            if (!name.equals(latest)) {
                AtomicDirectory.deleteTree(checkpoints.resolve(name));
            }
        }
    }
}
