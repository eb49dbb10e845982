package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.TinyTask;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingListener;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainingResult;
import dev.peft4j.core.train.checkpoint.TrainingCheckpoint;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointReader;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefix tuning with {@code prefix_projection}: the adapter file holds only the projected prefix
 * (HF's {@code prompt_embeddings}, for inference), so exact resume needs the training checkpoint's
 * raw parameters, the projection network included.
 */
class PrefixProjectionResumeTest {

    private static final List<TrainingExample> TRAIN = TinyTask.examples(8, 40);
    private static final TrainingRecipe RECIPE = new TrainingRecipe(1e-2, 1, 8, TinyTask.MAX_LENGTH, 9L, 0.2, 0.01, 1.0, 1);
    private static final PrefixTuningConfig CONFIG = PrefixTuningConfig.defaults().withNumVirtualTokens(4).withPrefixProjection(true, 8);

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

    private static Trainer.Builder trainer(PeftModel model) {
        return Trainer.builder().setModel(model).setTokenizer(tokenizer).setRecipe(RECIPE).optProgressBar(false);
    }

    @Test
    void resumedPrefixProjectionRunMatchesTheUninterruptedOne(@TempDir Path dir) throws IOException {
        TrainingResult reference;
        Map<String, HostTensor> referenceParameters;
        try (PeftModel model = PromptLearningTesting.adapt(manager, TaskType.SEQ_CLS, CONFIG)) {
            reference = trainer(model).build().train(TRAIN, List.of());
            referenceParameters = Parameters.stateDict(model.baseModel().root());
        }
        Path checkpoints = dir.resolve("checkpoints");
        try (PeftModel model = PromptLearningTesting.adapt(manager, TaskType.SEQ_CLS, CONFIG)) {
            Trainer crashing = trainer(model).optCheckpoints(2, new TrainingCheckpointWriter(checkpoints, "{}", "{}", 0))
                    .optListener(new TrainingListener() {
                        @Override
                        public void onStep(StepEvent event) {
                            if (event.step() == 2) {
                                throw new IllegalStateException("crash");
                            }
                        }
                    })
                    .build();
            assertThatThrownBy(() -> crashing.train(TRAIN, List.of())).hasMessage("crash");
        }
        TrainingCheckpoint checkpoint = TrainingCheckpointReader.load(checkpoints);
        assertThat(checkpoint.snapshot().state().globalStep()).isEqualTo(2);
        try (PeftModel model = PromptLearningTesting.adapt(manager, TaskType.SEQ_CLS, CONFIG)) {
            var trainable = model.trainableParameters().keySet();
            assertThat(checkpoint.snapshot().trainableParameters().keySet()).containsExactlyInAnyOrderElementsOf(trainable);
            // the adapter keeps one projected table and the head; the checkpoint also the embedding and both Linears
            assertThat(checkpoint.snapshot().adapterWeights().keySet()).containsExactlyInAnyOrder("prompt_embeddings",
                    "base_model.model.classifier.weight", "base_model.model.classifier.bias");
            assertThat(trainable).hasSizeGreaterThanOrEqualTo(2 + 5);

            TrainingResult resumed = trainer(model).optResumeFrom(checkpoint.snapshot()).build().train(TRAIN, List.of());
            assertThat(resumed.logHistory()).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(resumed.logHistory().get(i).loss()).as("loss of update %d", i)
                        .isCloseTo(reference.logHistory().get(i).loss(), within(1e-6));
            }
            assertThat(Parameters.stateDict(model.baseModel().root())).isEqualTo(referenceParameters);
        }
    }
}
