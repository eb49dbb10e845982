package dev.peft4j.core.train.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.TinyCausalLms;
import dev.peft4j.core.train.StepEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CausalLmTrainerTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static LmTrainingRecipe recipe(double lr, long maxSteps, int batchSize, long seed, int accumulation) {
        return new LmTrainingRecipe(lr, null, maxSteps, batchSize, seed, 0.1, 0.01, 1.0, accumulation);
    }

    private static Map<String, float[]> parameters(TransformerModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Parameters.byName(model.root()).forEach((name, parameter) -> out.put(name, parameter.getArray().toFloatArray()));
        return out;
    }

    @Test
    void preTrainingFromScratchLearnsTheCountingLanguage() {
        List<int[]> train = TinyCausalLms.countingBlocks(64, 16, 16, 1);
        List<int[]> heldOut = TinyCausalLms.countingBlocks(16, 16, 16, 2);
        try (PeftModel model = TinyCausalLms.full(TinyCausalLms.llama(manager))) {
            double before = PerplexityEvaluator.evaluate(model, heldOut, 8, 0).value();
            List<StepEvent> steps = new ArrayList<>();
            List<LmEvaluation> evaluations = new ArrayList<>();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            LmTrainingResult result = CausalLmTrainer.builder()
                    .setModel(model)
                    .setRecipe(recipe(1e-2, 80, 8, 3, 1))
                    .optProgressBar(false)
                    .optMeterRegistry(registry)
                    .optListener(new LmTrainingListener() {
                        @Override
                        public void onStep(StepEvent event) {
                            steps.add(event);
                        }

                        @Override
                        public void onEvaluation(LmEvaluation evaluation) {
                            evaluations.add(evaluation);
                        }
                    })
                    .build()
                    .train(train, heldOut);
            double after = result.finalEvaluation().heldOut().value();
            // a uniform guess over 32 tokens has perplexity 32; after two tokens every block is
            // determined, so the best model pays only for the random start: exp(ln(30) / 15) = 1.254
            assertThat(before).isGreaterThan(15);
            assertThat(after).isLessThan(2.0).isGreaterThan(1.2);
            assertThat(result.finalEvaluation().heldOut().tokens()).isEqualTo(16 * 15);
            assertThat(result.steps()).isEqualTo(80);
            assertThat(result.history()).isEqualTo(steps);
            assertThat(result.blocksSeen()).isEqualTo(80 * 8);
            assertThat(result.tokensSeen()).isEqualTo(80 * 8 * 16);
            assertThat(steps.getLast().loss()).isLessThan(steps.getFirst().loss() / 3);
            // 8 updates per epoch: evaluated after each of the 10 epochs, the last one being the run's end
            assertThat(evaluations).extracting(LmEvaluation::step).containsExactly(8L, 16L, 24L, 32L, 40L, 48L, 56L, 64L, 72L, 80L);
            assertThat(result.evaluations()).isEqualTo(evaluations);
            assertThat(registry.get("peft.train.tokens").counter().count()).isEqualTo(80 * 8 * 16);
            assertThat(registry.get("peft.train.step").timer().count()).isEqualTo(80);
            assertThat(result.tokensPerSecond()).isPositive();
            System.out.printf("tiny Llama pre-training: held-out perplexity %.3f -> %.3f in 80 updates, median step %.1f ms, %.0f tokens/s%n",
                    before, after, result.medianStepNanos() / 1e6, result.tokensPerSecond());
        }
    }

    @Test
    void sameSeedGivesBitIdenticalParametersWithDropoutAndAnotherSeedDoesNot() {
        List<int[]> train = TinyCausalLms.countingBlocks(12, 5, 12, 4);
        Map<String, HostWeights> runs = new LinkedHashMap<>();
        for (String run : List.of("a", "b", "other-seed")) {
            try (TransformerModel base = TinyCausalLms.gpt2(manager)) {
                if (!runs.isEmpty()) {
                    base.loadEncoderWeights(runs.values().iterator().next().initial());
                }
                var initial = base.encoderWeights();
                try (PeftModel model = TinyCausalLms.full(base)) {
                    LmTrainingResult result = CausalLmTrainer.builder().setModel(model)
                            .setRecipe(recipe(5e-3, 4, 4, run.equals("other-seed") ? 8 : 7, 1))
                            .optProgressBar(false).build().train(train, List.of());
                    assertThat(result.evaluations()).isEmpty();
                    runs.put(run, new HostWeights(initial, parameters(model.baseModel()), result.history().getLast().loss()));
                }
            }
        }
        HostWeights a = runs.get("a");
        HostWeights b = runs.get("b");
        assertThat(b.lastLoss()).isEqualTo(a.lastLoss());
        a.trained().forEach((name, values) -> assertThat(b.trained().get(name)).as(name).containsExactly(values));
        assertThat(runs.get("other-seed").lastLoss()).isNotEqualTo(a.lastLoss());
    }

    private record HostWeights(Map<String, dev.peft4j.core.io.HostTensor> initial, Map<String, float[]> trained, double lastLoss) {}

    @Test
    void accumulatedMicroBatchesWeighTokensAsOneBatch() {
        // blocks of different lengths: averaging micro-batch means would weigh their tokens unequally
        List<int[]> train = TinyCausalLms.countingBlocks(4, 3, 14, 5);
        Map<String, float[]> whole;
        Map<String, float[]> accumulated;
        double wholeLoss;
        double accumulatedLoss;
        try (TransformerModel first = TinyCausalLms.llama(manager); TransformerModel second = TinyCausalLms.llama(manager)) {
            second.loadEncoderWeights(first.encoderWeights());
            try (PeftModel a = TinyCausalLms.full(first); PeftModel b = TinyCausalLms.full(second)) {
                wholeLoss = CausalLmTrainer.builder().setModel(a).setRecipe(recipe(1e-2, 1, 4, 9, 1)).optProgressBar(false)
                        .build().train(train, List.of()).history().getFirst().loss();
                accumulatedLoss = CausalLmTrainer.builder().setModel(b).setRecipe(recipe(1e-2, 1, 1, 9, 4)).optProgressBar(false)
                        .build().train(train, List.of()).history().getFirst().loss();
                whole = parameters(first);
                accumulated = parameters(second);
            }
        }
        assertThat(accumulatedLoss).isCloseTo(wholeLoss, within(1e-5));
        whole.forEach((name, values) -> {
            float[] other = accumulated.get(name);
            for (int i = 0; i < values.length; i++) {
                assertThat(other[i]).as("%s[%d]", name, i).isCloseTo(values[i], within(1e-5f));
            }
        });
    }

    @Test
    void anAdapterTrainsAloneAndTheBaseStaysBitIdentical() {
        List<int[]> train = TinyCausalLms.countingBlocks(16, 8, 8, 6);
        try (PeftModel model = TinyCausalLms.scale(TinyCausalLms.llama(manager), "q_proj", "v_proj")) {
            Map<String, float[]> before = parameters(model.baseModel());
            LmTrainingResult result = CausalLmTrainer.builder().setModel(model).setRecipe(recipe(5e-2, 6, 4, 1, 1))
                    .optProgressBar(false).build().train(train, train.subList(0, 4));
            Map<String, float[]> after = parameters(model.baseModel());
            List<String> changed = new ArrayList<>();
            before.forEach((name, values) -> {
                if (!java.util.Arrays.equals(values, after.get(name))) {
                    changed.add(name);
                }
            });
            assertThat(changed).containsExactlyInAnyOrderElementsOf(model.trainableParameters().keySet());
            assertThat(changed).hasSize(4).allMatch(name -> name.endsWith(".scale"));
            assertThat(result.evaluations()).hasSize(2); // end of epoch 0 (4 updates) and the run's end
        }
    }

    @Test
    void perplexityIsTokenWeightedAndIndependentOfTheBatchSize() {
        List<int[]> blocks = new ArrayList<>(TinyCausalLms.countingBlocks(7, 1, 13, 7));
        blocks.add(new int[] {5}); // predicts nothing
        try (TransformerModel model = TinyCausalLms.llama(manager); NDManager scope = manager.newSubManager()) {
            Perplexity one = PerplexityEvaluator.evaluate(model, blocks, 1, 0);
            Perplexity three = PerplexityEvaluator.evaluate(model, blocks, 3, 0);
            LmBatch all = LmBatch.rightPadded(blocks, 0);
            NDArray logits = model.forward(all.toInputs(scope), false).head();
            double mean = CausalLmLoss.mean(logits, all.toLabels(scope)).getFloat();
            long expectedTokens = blocks.stream().mapToLong(b -> b.length - 1).sum();
            assertThat(one.tokens()).isEqualTo(expectedTokens).isEqualTo(three.tokens()).isEqualTo(all.countedTokens());
            assertThat(one.meanNll()).isCloseTo(mean, within(1e-5));
            assertThat(three.meanNll()).isCloseTo(mean, within(1e-5));
            assertThat(three.value()).isCloseTo(Math.exp(mean), within(1e-4 * Math.exp(mean)));
        }
    }

    @Test
    void badModelsAndTokensAreNamed() {
        try (PeftModel model = TinyCausalLms.full(TinyCausalLms.llama(manager))) {
            CausalLmTrainer trainer = CausalLmTrainer.builder().setModel(model).setRecipe(recipe(1e-3, 1, 2, 0, 1)).optProgressBar(false).build();
            assertThatThrownBy(() -> trainer.train(List.of(new int[] {1, 2, 3}, new int[] {4, 5, 32}), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("training block 1 holds token id 32 at position 2; ids must be in [0, 32)");
            assertThatThrownBy(() -> trainer.train(List.of(new int[] {1, 2}), List.of(new int[0])))
                    .hasMessage("held-out block 0 is empty");
            assertThatThrownBy(() -> trainer.train(List.of(), List.of())).hasMessage("no training blocks");
            assertThatThrownBy(() -> trainer.train(List.of(new int[] {1}), List.of()))
                    .hasMessage("no token to predict in this update: every block has fewer than 2 tokens");
            assertThatThrownBy(() -> CausalLmTrainer.builder().optEvalSteps(0)).hasMessage("eval_steps must be > 0, got 0");
        }
        try (PeftModel bert = TinyCausalLms.full(TinyBert.create(manager, TaskType.SEQ_CLS))) {
            assertThatThrownBy(() -> CausalLmTrainer.builder().setModel(bert).setRecipe(LmTrainingRecipe.defaults()).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("causal-LM training needs a CAUSAL_LM model (Llama or GPT-2), got bert SEQ_CLS");
        }
    }
}
