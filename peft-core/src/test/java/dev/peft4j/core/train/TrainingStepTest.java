package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Dropout;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainingStepTest {

    private static final List<TrainingExample> TRAIN = TinyTask.examples(3, 64);
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

    /** Update {@code u} accumulates two micro-batches of 8: examples {@code 16u .. 16u+15}. */
    private static List<List<TrainingExample>> update(int u) {
        return List.of(TRAIN.subList(16 * u, 16 * u + 8), TRAIN.subList(16 * u + 8, 16 * u + 16));
    }

    private static void run(PeftModel model, AdamW optimizer, int from, int to) {
        TrainingStep step = new TrainingStep(model, tokenizer, optimizer, 5, 1.0);
        LinearSchedule schedule = new LinearSchedule(1e-2, 1, 4);
        for (int u = from; u < to; u++) {
            step.run(update(u), schedule.learningRate(u), 2L * u);
        }
    }

    private static AdamW adamW(PeftModel model) {
        return AdamW.builder().setParameters(model.trainableParameters()).optWeightDecay(0.01).build();
    }

    @Test
    void resumingFromExportedStateMatchesAnUninterruptedRun() {
        Map<String, HostTensor> uninterrupted;
        try (PeftModel model = TinyTask.full(manager); AdamW optimizer = adamW(model)) {
            run(model, optimizer, 0, 4);
            uninterrupted = Parameters.stateDict(model.baseModel().root());
        }
        Map<String, HostTensor> checkpoint;
        AdamWState state;
        try (PeftModel model = TinyTask.full(manager); AdamW optimizer = adamW(model)) {
            run(model, optimizer, 0, 2);
            checkpoint = Parameters.stateDict(model.baseModel().root());
            state = optimizer.state();
        }
        try (PeftModel model = TinyTask.full(manager); AdamW optimizer = adamW(model)) {
            Parameters.loadStateDict(model.baseModel().root(), checkpoint, true);
            optimizer.loadState(state);
            run(model, optimizer, 2, 4);
            assertThat(optimizer.stepCount()).isEqualTo(4);
            Map<String, HostTensor> resumed = Parameters.stateDict(model.baseModel().root());
            assertThat(resumed).isEqualTo(uninterrupted).isNotEqualTo(checkpoint);
        }
    }

    @Test
    void accumulatedMicroBatchesAverageTheirGradients() {
        try (PeftModel model = TinyTask.full(manager); AdamW optimizer = adamW(model)) {
            // dropout off, so the two ways of computing the gradient see the same function
            model.baseModel().modules().entrySet().stream()
                    .filter(entry -> entry.getValue() instanceof Dropout)
                    .map(Map.Entry::getKey)
                    .toList()
                    .forEach(path -> model.baseModel().replaceModule(path, new Dropout(0)));
            TrainingStep step = new TrainingStep(model, tokenizer, optimizer, 5, 0);
            List<TrainingExample> sixteen = TRAIN.subList(0, 16);
            // learning rate 0 leaves the parameters unchanged, so both updates see the same model
            TrainingStep.Outcome whole = step.run(List.of(sixteen), 0, 0);
            TrainingStep.Outcome accumulated = step.run(List.of(sixteen.subList(0, 8), sixteen.subList(8, 16)), 0, 1);
            assertThat(accumulated.gradNorm()).isCloseTo(whole.gradNorm(), within(1e-5 * whole.gradNorm()));
            assertThat(accumulated.loss()).isCloseTo(whole.loss(), within(1e-6));
            assertThat(accumulated.examples()).isEqualTo(whole.examples()).isEqualTo(16);
            assertThat(accumulated.tokens()).isEqualTo(whole.tokens());
        }
    }

    @Test
    void aNonFiniteLossStopsTrainingBeforeTheUpdate() {
        try (PeftModel model = TinyTask.full(manager); AdamW optimizer = adamW(model)) {
            var weight = model.trainableParameters().get("classifier.weight").getArray();
            float[] nan = new float[(int) weight.size()];
            java.util.Arrays.fill(nan, Float.NaN);
            weight.set(nan);
            TrainingStep step = new TrainingStep(model, tokenizer, optimizer, 5, 1.0);
            Map<String, HostTensor> before = Parameters.stateDict(model.baseModel().root());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> step.run(update(0), 1e-3, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("training loss is NaN at update 0; lower the learning rate or check the inputs");
            assertThat(optimizer.stepCount()).isZero();
            assertThat(Parameters.stateDict(model.baseModel().root()).get("bert.embeddings.word_embeddings.weight"))
                    .isEqualTo(before.get("bert.embeddings.word_embeddings.weight"));
        }
    }

    @Test
    void stepsLeaveNoArraysBehindInTheModelManager() {
        try (PeftModel model = TinyTask.full(manager); AdamW optimizer = adamW(model)) {
            TrainingStep step = new TrainingStep(model, tokenizer, optimizer, 5, 1.0);
            step.run(update(0), 1e-3, 0);
            int arrays = model.baseModel().manager().getManagedArrays().size();
            step.run(update(1), 1e-3, 2);
            step.run(update(2), 1e-3, 4);
            Evaluator.evaluate(model, tokenizer, TRAIN, 16, 2);
            assertThat(model.baseModel().manager().getManagedArrays()).hasSize(arrays);
        }
    }
}
