package dev.peft4j.core.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder layout, the {@code latest} pointer, pruning, recovery, and every damaged-checkpoint message. */
class TrainingCheckpointFilesTest {

    private static final int SIZE = 8;

    @TempDir
    Path run;

    private Path checkpoints() {
        return run.resolve("checkpoints");
    }

    private void save(int limit, long... steps) throws IOException {
        TrainingCheckpointWriter writer = new TrainingCheckpointWriter(checkpoints(), "{\"peft_type\": \"TEST\"}", "{\"a\": 1}", limit);
        for (long step : steps) {
            writer.save(SyntheticSnapshots.at(step, SIZE));
        }
    }

    private String[] entries(Path folder) throws IOException {
        try (var list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    private void assertDamaged(String message) {
        assertThatThrownBy(() -> TrainingCheckpointReader.load(run))
                .isInstanceOf(TrainingCheckpointException.class)
                .hasMessage(message);
    }

    @Test
    void runFolderCheckpointsFolderAndStepFolderAllResolve() throws IOException {
        save(0, 2, 4);
        assertThat(entries(checkpoints())).containsExactly("latest", "step-2", "step-4");
        assertThat(Files.readString(checkpoints().resolve("latest"))).isEqualTo("step-4\n");
        assertThat(TrainingCheckpointReader.load(run).folder()).isEqualTo(checkpoints().resolve("step-4"));
        assertThat(TrainingCheckpointReader.load(checkpoints()).folder()).isEqualTo(checkpoints().resolve("step-4"));
        TrainingCheckpoint older = TrainingCheckpointReader.load(checkpoints().resolve("step-2"));
        assertThat(older.snapshot().state().globalStep()).isEqualTo(2);
        assertThat(older.runFolder()).isEqualTo(run.toAbsolutePath().normalize());
        SyntheticSnapshots.requireWhole(older, SIZE);
        assertThat(older.snapshot().state().logHistory().get(1).loss()).isEqualTo(0.5);
    }

    @Test
    void saveTotalLimitKeepsTheNewestAndNeverTheLatestPointersFolder() throws IOException {
        save(2, 1, 2, 3, 4);
        assertThat(entries(checkpoints())).containsExactly("latest", "step-3", "step-4");
        // resuming from step-1 of an older branch: latest now names step-2 although step-3 and step-4 are newer
        save(1, 2);
        assertThat(entries(checkpoints())).containsExactly("latest", "step-2", "step-4");
        assertThat(TrainingCheckpointReader.load(run).snapshot().state().globalStep()).isEqualTo(2);
    }

    @Test
    void resavingAStepReplacesItsFolderWhole() throws IOException {
        save(0, 3);
        Files.writeString(checkpoints().resolve("step-3/stale.txt"), "from an earlier run");
        save(0, 3);
        assertThat(entries(checkpoints().resolve("step-3"))).doesNotContain("stale.txt").contains("trainer_state.json");
        assertThat(entries(checkpoints())).containsExactly("latest", "step-3");
    }

    @Test
    void aCrashBetweenTheTwoRenamesIsRecoveredOnLoad() throws IOException {
        save(0, 3);
        Files.move(checkpoints().resolve("step-3"), checkpoints().resolve(".step-3.old"));
        TrainingCheckpoint recovered = TrainingCheckpointReader.load(run);
        SyntheticSnapshots.requireWhole(recovered, SIZE);
        assertThat(entries(checkpoints())).containsExactly("latest", "step-3");
    }

    @Test
    void leftoverStagingFoldersAreIgnoredThenDeleted() throws IOException {
        save(0, 3);
        Path leftover = Files.createDirectories(checkpoints().resolve(".step-4.staging"));
        Files.writeString(leftover.resolve("trainer_state.json"), "{\"global_st");
        assertThat(TrainingCheckpointReader.load(run).snapshot().state().globalStep()).isEqualTo(3);
        save(0, 4);
        assertThat(entries(checkpoints())).containsExactly("latest", "step-3", "step-4");
    }

    @Test
    void noCheckpointNamesWhereItLooked() {
        assertThatThrownBy(() -> TrainingCheckpointReader.load(run))
                .isInstanceOf(TrainingCheckpointException.class)
                .hasMessage("no training checkpoint in " + run + " (looked for " + run.resolve("checkpoints/latest") + ", "
                        + run.resolve("latest") + " and " + run.resolve("trainer_state.json")
                        + "; peft train --save-steps N writes them)");
    }

    @Test
    void damagedPointer() throws IOException {
        save(0, 3);
        Path latest = checkpoints().resolve("latest");
        Files.writeString(latest, "step-7\n");
        assertDamaged("training checkpoint pointer " + latest + " names step-7, which does not exist");
        Files.writeString(latest, "../../etc");
        assertDamaged("training checkpoint pointer " + latest + " is damaged: expected 'step-N', got '../../etc'");
    }

    @Test
    void missingOrTruncatedFiles() throws IOException {
        save(0, 3);
        Path step = checkpoints().resolve("step-3");
        Files.delete(step.resolve("optimizer.safetensors"));
        assertDamaged("training checkpoint " + step + " is damaged: missing optimizer.safetensors");

        save(0, 3);
        Path parameters = step.resolve("trainable_parameters.safetensors");
        try (var channel = Files.newByteChannel(parameters, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(parameters) - 4);
        }
        assertThatThrownBy(() -> TrainingCheckpointReader.load(run))
                .isInstanceOf(TrainingCheckpointException.class)
                .hasMessageStartingWith("training checkpoint " + step + " is damaged: ")
                .hasMessageContaining("trainable_parameters.safetensors");
    }

    @Test
    void inconsistentTrainerState() throws IOException {
        save(0, 3);
        Path step = checkpoints().resolve("step-3");
        Path state = step.resolve("trainer_state.json");
        String json = Files.readString(state);
        Files.writeString(state, json.replace("\"global_step\" : 3", "\"global_step\" : 4"));
        assertDamaged("training checkpoint " + step + " is damaged: trainer_state.json: "
                + "trainer_state.log_history has 3 entries but global_step is 4");
        Files.writeString(state, json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> TrainingCheckpointReader.load(run))
                .hasMessageStartingWith("training checkpoint " + step + " is damaged: trainer_state.json: Unexpected end-of-input");
    }

    @Test
    void aValueOfTheWrongJsonTypeNamesTheFieldAndTheFile() throws IOException {
        save(0, 3);
        Path step = checkpoints().resolve("step-3");
        Path state = step.resolve("trainer_state.json");
        String json = Files.readString(state);
        Files.writeString(state, json.replace("\"global_step\" : 3", "\"global_step\" : \"3\""));
        assertDamaged("training checkpoint " + step + " is damaged: trainer_state.json: field 'global_step' must be"
                + " a JSON integer (long), got the string \"3\"");
        Files.writeString(state, json.replace("\"global_step\" : 3", "\"global_step\" : 3.0"));
        assertDamaged("training checkpoint " + step + " is damaged: trainer_state.json: field 'global_step' must be"
                + " a JSON integer (long), got the number 3.0");
    }

    @Test
    void optimizerFromAnotherStep() throws IOException {
        save(0, 3, 5);
        Path step3 = checkpoints().resolve("step-3");
        Files.copy(checkpoints().resolve("step-5/optimizer.safetensors"), step3.resolve("optimizer.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> TrainingCheckpointReader.load(step3))
                .isInstanceOf(TrainingCheckpointException.class)
                .hasMessage("training checkpoint " + step3 + " is damaged: the optimizer state has taken 5 steps but "
                        + "trainer_state.global_step is 3");
    }
}
