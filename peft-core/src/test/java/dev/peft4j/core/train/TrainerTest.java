package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static NDManager manager;
    private static SentenceTokenizer tokenizer;
    private static final List<TrainingExample> TRAIN = TinyTask.examples(1, 128);
    private static final List<TrainingExample> HELD_OUT = TinyTask.examples(2, 64);

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

    private static Trainer trainer(PeftModel model, TrainingRecipe recipe) {
        return Trainer.builder().setModel(model).setTokenizer(tokenizer).setRecipe(recipe).optProgressBar(false).build();
    }

    @Test
    void fullFineTuningLearnsASeparableTask() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<StepEvent> steps = new ArrayList<>();
        List<EpochMetrics> epochs = new ArrayList<>();
        try (PeftModel model = TinyTask.full(manager)) {
            TrainingRecipe recipe = TinyTask.recipe(1e-2, 4, 16, 7, 1);
            Evaluation before = Evaluator.evaluate(model, tokenizer, HELD_OUT, 16, 2);
            TrainingResult result = Trainer.builder().setModel(model).setTokenizer(tokenizer).setRecipe(recipe)
                    .optProgressBar(false).optMeterRegistry(registry)
                    .optListener(new TrainingListener() {
                        @Override
                        public void onStep(StepEvent event) {
                            steps.add(event);
                        }

                        @Override
                        public void onEpoch(EpochMetrics metrics) {
                            epochs.add(metrics);
                        }
                    })
                    .build()
                    .train(TRAIN, HELD_OUT);

            assertThat(result.steps()).isEqualTo(4 * 8);
            assertThat(result.examplesSeen()).isEqualTo(4 * 128);
            assertThat(result.stepNanos()).hasSize(32).allMatch(nanos -> nanos > 0);
            assertThat(result.medianStepNanos()).isPositive();
            // every example has [CLS], [SEP] and at least three words
            assertThat(result.tokensSeen()).isEqualTo(steps.stream().mapToLong(StepEvent::tokens).sum()).isGreaterThanOrEqualTo(4 * 128 * 5);
            assertThat(steps).hasSize(32);
            assertThat(epochs).isEqualTo(result.epochs());
            // warm-up ceil(0.1 * 32) = 4 updates: the first update uses rate 0
            assertThat(steps.getFirst().learningRate()).isZero();
            assertThat(steps.get(4).learningRate()).isEqualTo(1e-2);

            Evaluation after = result.lastEpoch().evaluation();
            assertThat(after.accuracy()).isGreaterThanOrEqualTo(0.9);
            assertThat(after.macroF1()).isGreaterThanOrEqualTo(0.9);
            assertThat(after.loss()).isLessThan(before.loss());
            assertThat(result.lastEpoch().trainLoss()).isLessThan(result.epochs().getFirst().trainLoss());

            assertThat(registry.get("peft.train.step").timer().count()).isEqualTo(32);
            assertThat(registry.get("peft.train.examples").counter().count()).isEqualTo(512.0);
            assertThat(registry.get("peft.train.tokens").counter().count()).isEqualTo((double) result.tokensSeen());
            assertThat(registry.get("peft.train.loss").gauge().value()).isEqualTo(steps.getLast().loss());
            assertThat(registry.get("peft.train.learning_rate").gauge().value()).isEqualTo(steps.getLast().learningRate());
            assertThat(registry.get("peft.memory.heap.bytes").gauge().value()).isPositive();
            assertThat(registry.get("peft.memory.rss.bytes").gauge().value()).isPositive();
        }
    }

    @Test
    void sameSeedGivesBitIdenticalParametersWithDropoutActive() {
        TrainingRecipe recipe = TinyTask.recipe(1e-2, 1, 8, 11, 2);
        Map<String, HostTensor> first;
        Map<String, HostTensor> second;
        Map<String, HostTensor> otherSeed;
        try (PeftModel model = TinyTask.full(manager)) {
            trainer(model, recipe).train(TRAIN, List.of());
            first = Parameters.stateDict(model.baseModel().root());
        }
        try (PeftModel model = TinyTask.full(manager)) {
            trainer(model, recipe).train(TRAIN, List.of());
            second = Parameters.stateDict(model.baseModel().root());
        }
        try (PeftModel model = TinyTask.full(manager)) {
            trainer(model, TinyTask.recipe(1e-2, 1, 8, 12, 2)).train(TRAIN, List.of());
            otherSeed = Parameters.stateDict(model.baseModel().root());
        }
        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void onlyTrainableParametersChange() {
        try (PeftModel model = TinyTask.scale(manager)) {
            Map<String, HostTensor> before = Parameters.stateDict(model.baseModel().root());
            trainer(model, TinyTask.recipe(1e-2, 1, 16, 3, 1)).train(TRAIN, List.of());
            Map<String, HostTensor> after = Parameters.stateDict(model.baseModel().root());
            var trainable = model.trainableParameters().keySet();
            assertThat(trainable).contains("bert.encoder.layer.0.attention.self.query.scale", "classifier.modules_to_save.default.weight");
            before.forEach((name, tensor) -> {
                if (trainable.contains(name)) {
                    assertThat(after.get(name)).as(name).isNotEqualTo(tensor);
                } else {
                    assertThat(after.get(name)).as(name).isEqualTo(tensor);
                }
            });
        }
    }

    @Test
    void zeroTrainableParametersIsAnError() {
        try (PeftModel model = TinyTask.scale(manager)) {
            model.baseModel().root().freezeParameters(true);
            assertThatThrownBy(() -> trainer(model, TinyTask.recipe(1e-2, 1, 16, 3, 1)).train(TRAIN, List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("no trainable parameters: none of the ");
        }
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        try (PeftModel model = TinyTask.full(manager)) {
            Trainer trainer = trainer(model, TinyTask.recipe(1e-2, 1, 8, 3, 1));
            assertThatThrownBy(() -> trainer.train(List.of(), List.of())).hasMessage("no training examples");
            assertThatThrownBy(() -> trainer.train(List.of(new TrainingExample("good film", 2)), List.of()))
                    .hasMessage("training label 2 is outside [0, 2) for \"good film\"");
            TrainingRecipe longer = new TrainingRecipe(1e-2, 1, 8, 32, 3L, null, null, null, null);
            assertThatThrownBy(() -> trainer(model, longer))
                    .hasMessage("the tokenizer truncates at 16 tokens but recipe.max_length is 32; load it with that max length");
        }
    }
}
