package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.checkpoint.CheckpointLayout;
import dev.peft4j.core.train.checkpoint.TrainingCheckpoint;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointReader;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted after update k (a listener that throws, as a crash would) and resumed from
 * its latest checkpoint on disk must give the uninterrupted run's loss curve, epoch metrics and
 * parameters: dropout active, gradient accumulation 2, warm-up 10% then decay, two epochs.
 */
class TrainingResumeTest {

    /** 44 examples in batches of 8: 6 batches per epoch (the last one short), accumulated in pairs: 3 updates per epoch. */
    private static final List<TrainingExample> TRAIN = TinyTask.examples(5, 44);
    private static final List<TrainingExample> HELD_OUT = TinyTask.examples(6, 24);
    private static final TrainingRecipe RECIPE = TinyTask.recipe(1e-2, 2, 8, 17, 2);
    private static final String RUN_JSON = "{\"purpose\": \"test\"}";

    private static NDManager manager;
    private static SentenceTokenizer tokenizer;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
        tokenizer = TinyTask.tokenizer();
    }

    @AfterAll
    static void stop() {
        tokenizer.close();
        manager.close();
    }

    /** The crash: thrown by a listener after the update with this (0-based) index. */
    private static final class Crash extends RuntimeException {
        Crash(long step) {
            super("crash after update " + step);
        }
    }

    private static Trainer.Builder trainer(PeftModel model, TrainingRecipe recipe) {
        return Trainer.builder().setModel(model).setTokenizer(tokenizer).setRecipe(recipe).optProgressBar(false);
    }

    private static TrainingCheckpointWriter writer(Path checkpoints, int limit) {
        return new TrainingCheckpointWriter(checkpoints, "{\"peft_type\": \"TEST\"}", RUN_JSON, limit);
    }

    private record Run(TrainingResult result, Map<String, HostTensor> parameters) {}

    private static Run uninterrupted(Function<NDManager, PeftModel> method) {
        try (PeftModel model = method.apply(manager)) {
            TrainingResult result = trainer(model, RECIPE).build().train(TRAIN, HELD_OUT);
            return new Run(result, Parameters.stateDict(model.baseModel().root()));
        }
    }

    /** Trains with checkpoints every {@code saveSteps}, crashing after update {@code crashAfter}; then resumes from disk. */
    private static Run interruptedAndResumed(Function<NDManager, PeftModel> method, Path checkpoints, int saveSteps,
            long crashAfter) throws IOException {
        try (PeftModel model = method.apply(manager)) {
            Trainer crashing = trainer(model, RECIPE).optCheckpoints(saveSteps, writer(checkpoints, 0))
                    .optListener(new TrainingListener() {
                        @Override
                        public void onStep(StepEvent event) {
                            if (event.step() == crashAfter) {
                                throw new Crash(event.step());
                            }
                        }
                    })
                    .build();
            assertThatThrownBy(() -> crashing.train(TRAIN, HELD_OUT)).isInstanceOf(Crash.class);
        }
        TrainingCheckpoint checkpoint = TrainingCheckpointReader.load(checkpoints);
        try (PeftModel model = method.apply(manager)) {
            TrainingResult result = trainer(model, RECIPE).optResumeFrom(checkpoint.snapshot())
                    .optCheckpoints(saveSteps, writer(checkpoints, 0)).build().train(TRAIN, HELD_OUT);
            return new Run(result, Parameters.stateDict(model.baseModel().root()));
        }
    }

    private static void assertSameRun(Run resumed, Run reference) {
        List<StepEvent> expected = reference.result().logHistory();
        List<StepEvent> actual = resumed.result().logHistory();
        assertThat(expected).hasSize(6);
        assertThat(actual).hasSize(6);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).loss()).as("loss of update %d", i).isCloseTo(expected.get(i).loss(), within(1e-6));
            assertThat(actual.get(i).learningRate()).as("lr of update %d", i).isEqualTo(expected.get(i).learningRate());
            assertThat(actual.get(i).gradNorm()).as("grad norm of update %d", i).isCloseTo(expected.get(i).gradNorm(), within(1e-6));
            assertThat(actual.get(i).epoch()).isEqualTo(expected.get(i).epoch());
            assertThat(actual.get(i).tokens()).isEqualTo(expected.get(i).tokens());
        }
        // in fact bit-identical: same data order, dropout masks, schedule position and optimizer state
        assertThat(actual.stream().map(StepEvent::loss).toList()).isEqualTo(expected.stream().map(StepEvent::loss).toList());
        assertThat(resumed.parameters()).isEqualTo(reference.parameters());
        assertThat(resumed.result().epochs()).hasSize(2);
        for (int e = 0; e < 2; e++) {
            EpochMetrics want = reference.result().epochs().get(e);
            EpochMetrics got = resumed.result().epochs().get(e);
            assertThat(got.trainLoss()).isEqualTo(want.trainLoss());
            assertThat(got.evaluation().loss()).isEqualTo(want.evaluation().loss());
            assertThat(got.evaluation().accuracy()).isEqualTo(want.evaluation().accuracy());
        }
        assertThat(resumed.result().steps()).isEqualTo(6);
        assertThat(resumed.result().examplesSeen()).isEqualTo(reference.result().examplesSeen()).isEqualTo(2 * 44);
        assertThat(resumed.result().tokensSeen()).isEqualTo(reference.result().tokensSeen());
    }

    @Test
    void fullFineTuningResumedMidEpochMatchesTheUninterruptedRun(@TempDir Path dir) throws IOException {
        Run reference = uninterrupted(TinyTask::full);
        // checkpoints after updates 2 and 4; the crash after update index 4 (the fifth) loses one update
        Run resumed = interruptedAndResumed(TinyTask::full, dir.resolve("checkpoints"), 2, 4);
        assertSameRun(resumed, reference);
        assertThat(resumed.result().stepNanos()).as("updates 5 and 6 ran again").hasSize(2);
        assertThat(Files.readString(dir.resolve("checkpoints/latest"))).isEqualTo("step-6\n");
    }

    @Test
    void adapterMethodResumedAtAnEpochBoundaryMatchesTheUninterruptedRun(@TempDir Path dir) throws IOException {
        Run reference = uninterrupted(TinyTask::scale);
        // the checkpoint after update 3 ends epoch 0 before its evaluation: the resumed run evaluates first
        Run resumed = interruptedAndResumed(TinyTask::scale, dir.resolve("checkpoints"), 3, 3);
        assertSameRun(resumed, reference);
        assertThat(resumed.result().stepNanos()).hasSize(3);
    }

    @Test
    void resumingAFinishedRunTrainsNothingAndKeepsItsCheckpoint(@TempDir Path dir) throws IOException {
        Path checkpoints = dir.resolve("checkpoints");
        Run reference;
        try (PeftModel model = TinyTask.scale(manager)) {
            TrainingResult result = trainer(model, RECIPE).optCheckpoints(100, writer(checkpoints, 0)).build().train(TRAIN, HELD_OUT);
            reference = new Run(result, Parameters.stateDict(model.baseModel().root()));
        }
        assertThat(Files.list(checkpoints).map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("latest", "step-6");
        long written = Files.getLastModifiedTime(checkpoints.resolve("step-6/trainer_state.json")).toMillis();
        TrainingCheckpoint checkpoint = TrainingCheckpointReader.load(dir);
        assertThat(checkpoint.snapshot().state().finished()).isTrue();
        assertThat(checkpoint.runFolder()).isEqualTo(dir.toAbsolutePath().normalize());
        try (PeftModel model = TinyTask.scale(manager)) {
            TrainingResult result = trainer(model, RECIPE).optResumeFrom(checkpoint.snapshot())
                    .optCheckpoints(100, writer(checkpoints, 0)).build().train(TRAIN, HELD_OUT);
            assertThat(result.stepNanos()).isEmpty();
            assertThat(result.logHistory()).isEqualTo(reference.result().logHistory());
            assertThat(result.epochs()).hasSize(2);
            assertThat(Parameters.stateDict(model.baseModel().root())).isEqualTo(reference.parameters());
        }
        assertThat(Files.getLastModifiedTime(checkpoints.resolve("step-6/trainer_state.json")).toMillis()).isEqualTo(written);
    }

    @Test
    void aCheckpointOfAnotherRunIsRefusedNamingTheDifference(@TempDir Path dir) throws IOException {
        Path checkpoints = dir.resolve("checkpoints");
        try (PeftModel model = TinyTask.scale(manager)) {
            trainer(model, RECIPE).optCheckpoints(100, writer(checkpoints, 0)).build().train(TRAIN, List.of());
        }
        TrainingSnapshot snapshot = TrainingCheckpointReader.load(checkpoints).snapshot();
        try (PeftModel model = TinyTask.scale(manager)) {
            TrainingRecipe otherLr = TinyTask.recipe(2e-2, 2, 8, 17, 2);
            assertThatThrownBy(() -> trainer(model, otherLr).optResumeFrom(snapshot).build().train(TRAIN, List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot resume: the checkpoint's recipe.lr is 0.01, this run's is 0.02");
            assertThatThrownBy(() -> trainer(model, RECIPE).optResumeFrom(snapshot).build().train(TRAIN.subList(0, 40), List.of()))
                    .hasMessage("cannot resume: the checkpoint was trained on 44 examples per epoch, this run has 40");
        }
        try (PeftModel model = TinyTask.full(manager)) {
            assertThatThrownBy(() -> trainer(model, RECIPE).optResumeFrom(snapshot).build().train(TRAIN, List.of()))
                    .hasMessage("cannot resume: the checkpoint's trainable parameters do not fit the model: missing "
                            + "[bert.embeddings.LayerNorm.bias, bert.embeddings.LayerNorm.weight, bert.embeddings.position_embeddings.weight, "
                            + "bert.embeddings.token_type_embeddings.weight, bert.embeddings.word_embeddings.weight, ... 34 more], "
                            + "unexpected [bert.encoder.layer.0.attention.self.query.scale, bert.encoder.layer.0.attention.self.value.scale, "
                            + "bert.encoder.layer.1.attention.self.query.scale, bert.encoder.layer.1.attention.self.value.scale, "
                            + "classifier.modules_to_save.default.bias, ... 1 more]");
        }
    }

    @Test
    void checkpointsHoldTheExactResumeState(@TempDir Path dir) throws IOException {
        Path checkpoints = dir.resolve("checkpoints");
        try (PeftModel model = TinyTask.scale(manager)) {
            trainer(model, RECIPE).optCheckpoints(2, writer(checkpoints, 2)).build().train(TRAIN, HELD_OUT);
            var trainable = model.trainableParameters().keySet();
            // save_total_limit 2: step-2 was pruned after step-6 was written
            assertThat(Files.list(checkpoints).map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("latest", "step-4", "step-6");
            Path step4 = checkpoints.resolve("step-4");
            assertThat(Files.list(step4).map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "adapter_config.json", "adapter_model.safetensors", "optimizer.safetensors", "run.json",
                    "trainable_parameters.safetensors", "trainer_state.json");
            TrainingCheckpoint checkpoint = TrainingCheckpointReader.load(step4);
            TrainerState state = checkpoint.snapshot().state();
            assertThat(state.globalStep()).isEqualTo(4);
            assertThat(state.totalSteps()).isEqualTo(6);
            assertThat(state.epoch()).isEqualTo(1);
            assertThat(state.nextBatch()).as("update 4 was the first of epoch 1: batches 0 and 1").isEqualTo(2);
            assertThat(state.batchesPerEpoch()).isEqualTo(6);
            assertThat(state.shuffleSeed()).isEqualTo(17);
            assertThat(state.dropoutSeed()).isEqualTo(17);
            assertThat(state.recipe()).isEqualTo(RECIPE);
            assertThat(state.logHistory()).hasSize(4);
            assertThat(state.epochs()).hasSize(1);
            assertThat(checkpoint.snapshot().trainableParameters().keySet()).containsExactlyInAnyOrderElementsOf(trainable)
                    .contains("classifier.modules_to_save.default.weight");
            assertThat(checkpoint.snapshot().optimizer().step()).isEqualTo(4);
            assertThat(checkpoint.snapshot().optimizer().tensors()).hasSize(2 * trainable.size())
                    .containsKey("classifier.modules_to_save.default.weight.exp_avg_sq");
            assertThat(checkpoint.snapshot().adapterWeights()).containsKey("base_model.model.classifier.weight");
            assertThat(checkpoint.runJson()).isEqualTo(RUN_JSON);
            assertThat(checkpoint.adapterConfigJson()).isEqualTo("{\"peft_type\": \"TEST\"}");
        }
        assertThat(Files.readString(checkpoints.resolve(CheckpointLayout.LATEST))).isEqualTo("step-6\n");
    }

    @Test
    void badSaveStepsAndLimitsAreNamed() {
        assertThatThrownBy(() -> Trainer.builder().optCheckpoints(0, snapshot -> {}))
                .hasMessage("save_steps must be > 0, got 0");
        assertThatThrownBy(() -> writer(Path.of("x"), -1)).hasMessage("save_total_limit must be >= 0 (0 keeps all), got -1");
    }
}
