package dev.peft4j.prefix;

import static dev.peft4j.prefix.PromptLearningTesting.RUNTIME;
import static dev.peft4j.prefix.PromptLearningTesting.adapt;
import static dev.peft4j.prefix.PromptLearningTesting.batch;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.testing.GradientChecks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several prompt-learning adapters on one TinyBert (HF PEFT's {@code add_adapter} / {@code set_adapter}
 * for prompt learning): each keeps its own {@code prompt_encoder.<adapter>} and {@code num_virtual_tokens},
 * only the active one runs, and save, load and delete work per adapter.
 */
class PromptLearningMultipleAdaptersTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void twoPromptTuningAdaptersWithDifferentVirtualTokenCounts(@TempDir Path dir) throws IOException {
        checkTwoAdapters(PromptTuningConfig.defaults().withNumVirtualTokens(3), PromptTuningConfig.defaults().withNumVirtualTokens(5),
                dir, 5L * 16);
    }

    @Test
    void twoPrefixTuningAdaptersWithDifferentVirtualTokenCounts(@TempDir Path dir) throws IOException {
        checkTwoAdapters(PrefixTuningConfig.defaults().withNumVirtualTokens(4), PrefixTuningConfig.defaults().withNumVirtualTokens(6),
                dir, 6L * 2 * 2 * 16);
    }

    /**
     * @param secondTableSize elements of the second adapter's {@code prompt_embeddings}
     */
    private static void checkTwoAdapters(PeftConfig first, PeftConfig second, Path dir, long secondTableSize) throws IOException {
        float[] base;
        try (PeftModel plain = adapt(manager, TaskType.SEQ_CLS, first); NDManager scope = manager.newSubManager();
                var disabled = plain.disableAdapter()) {
            base = plain.forward(batch(scope), false).head().toFloatArray();
        }
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, first); NDManager scope = manager.newSubManager()) {
            perturb(peft, 11);
            float[] firstOut = logits(peft, scope);
            Set<String> parametersWithOne = Set.copyOf(Parameters.byName(peft.baseModel().root()).keySet());

            peft.addAdapter("other", second);
            assertThat(peft.adapterNames()).containsExactly("default", "other");
            assertThat(peft.baseModel().promptEncoders()).containsOnlyKeys("bert.prompt_encoder.default", "bert.prompt_encoder.other");
            assertThat(logits(peft, scope)).as("the inactive encoder does not run").containsExactly(firstOut);
            peft.setActiveAdapter("other");
            assertThat(peft.trainableParameters().keySet()).allMatch(path -> path.contains(".other."));
            perturb(peft, 13);
            float[] secondOut = logits(peft, scope);
            assertThat(secondOut).isNotEqualTo(firstOut).isNotEqualTo(base);
            assertThat(peft.adapterWeights("other", false).get(AdapterKeys.PROMPT_EMBEDDINGS).values()).hasSize((int) secondTableSize);

            // training the active adapter leaves the other bit-identical
            Map<String, float[]> defaultBefore = valuesOf(peft, ".default.");
            GradientChecks.assertThreeSgdStepsMoveOnlyTrainables(peft, scope);
            assertThat(valuesOf(peft, ".default.")).containsOnlyKeys(defaultBefore.keySet())
                    .allSatisfy((name, values) -> assertThat(values).as(name).containsExactly(defaultBefore.get(name)));
            secondOut = logits(peft, scope);
            peft.setActiveAdapter("default");
            assertThat(logits(peft, scope)).containsExactly(firstOut);
            try (var disabled = peft.disableAdapter()) {
                assertThat(logits(peft, scope)).as("disabled is the base model").containsExactly(base);
            }

            peft.savePretrained(dir);
            float[] otherOut = secondOut;
            // each adapter alone, loaded into a fresh model, gives exactly what switching gave
            try (PeftModel alone = RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir)) {
                assertThat(logits(alone, scope)).containsExactly(firstOut);
                alone.loadAdapter(dir.resolve("other"), "other");
                assertThat(logits(alone, scope)).containsExactly(firstOut);
                alone.setActiveAdapter("other");
                assertThat(logits(alone, scope)).containsExactly(otherOut);
            }
            try (PeftModel alone = RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir, "other", false, null)) {
                assertThat(alone.baseModel().promptEncoders()).containsOnlyKeys("bert.prompt_encoder.other");
                assertThat(logits(alone, scope)).containsExactly(otherOut);
            }

            peft.deleteAdapter("other");
            assertThat(peft.adapterNames()).containsExactly("default");
            assertThat(peft.baseModel().promptEncoders()).containsOnlyKeys("bert.prompt_encoder.default");
            assertThat(Parameters.byName(peft.baseModel().root()).keySet()).isEqualTo(parametersWithOne);
            assertThat(logits(peft, scope)).containsExactly(firstOut);
        }
    }

    private static float[] logits(PeftModel peft, NDManager scope) {
        return peft.forward(batch(scope), false).head().toFloatArray();
    }

    private static Map<String, float[]> valuesOf(PeftModel peft, String marker) {
        Map<String, float[]> out = new TreeMap<>();
        Parameters.byName(peft.baseModel().root()).forEach((name, parameter) -> {
            if (name.contains(marker)) {
                out.put(name, parameter.getArray().toFloatArray());
            }
        });
        assertThat(out).isNotEmpty();
        return out;
    }

    /** Moves every trainable parameter of the active adapter by a seeded amount in [-0.1, 0.1). */
    private static void perturb(PeftModel peft, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (var ignored = Autograd.noGrad()) {
            for (Parameter parameter : peft.trainableParameters().values()) {
                NDArray array = parameter.getArray();
                float[] values = array.toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    values[i] += (float) random.nextDouble(-0.1, 0.1);
                }
                array.set(values);
            }
        }
    }
}
