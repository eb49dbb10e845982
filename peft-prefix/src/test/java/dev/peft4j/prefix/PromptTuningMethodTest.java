package dev.peft4j.prefix;

import static dev.peft4j.prefix.PromptLearningTesting.MINILM_HEAD;
import static dev.peft4j.prefix.PromptLearningTesting.RUNTIME;
import static dev.peft4j.prefix.PromptLearningTesting.adapt;
import static dev.peft4j.prefix.PromptLearningTesting.adaptMiniLm;
import static dev.peft4j.prefix.PromptLearningTesting.assertClose;
import static dev.peft4j.prefix.PromptLearningTesting.batch;
import static dev.peft4j.prefix.PromptLearningTesting.secondAlone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.io.AdapterKeys;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.SoftPrompt;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.GradientChecks;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.prefix.PromptTuningConfig.PromptTuningInit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Prompt tuning on TinyBert (vocabulary 50, hidden 16) and on MiniLM's shape. */
class PromptTuningMethodTest {

    private static final PromptTuningConfig EIGHT = PromptTuningConfig.defaults().withNumVirtualTokens(8);
    private static final String TRAINABLE = "bert\\.prompt_encoder\\.default\\.embedding\\.weight|classifier\\.modules_to_save\\.default\\.(weight|bias)";

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static float[] row(float[] table, int width, long index) {
        float[] out = new float[width];
        System.arraycopy(table, (int) index * width, out, 0, width);
        return out;
    }

    @Test
    void trainsOneTableOfVirtualTokensBesideTheHead() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT)) {
            assertThat(peft.trainableParameters()).containsOnlyKeys("bert.prompt_encoder.default.embedding.weight",
                    "classifier.modules_to_save.default.weight", "classifier.modules_to_save.default.bias");
            assertThat(peft.trainableParameterCount()).isEqualTo(8 * 16 + 34);
            assertThat(peft.config()).isEqualTo(new PromptTuningConfig(8, PromptTuningInit.RANDOM, null, List.of(), 2, 16, 4, 1));
            assertThat(peft.adapterWeights()).containsOnlyKeys(AdapterKeys.PROMPT_EMBEDDINGS, "base_model.model.classifier.weight",
                    "base_model.model.classifier.bias");
            assertThat(peft.adapterWeights().get(AdapterKeys.PROMPT_EMBEDDINGS).shape()).containsExactly(8L, 16L);
        }
    }

    @Test
    void everySequenceGetsTheSameVirtualTokens() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT); NDManager scope = manager.newSubManager()) {
            PromptEmbedding encoder = (PromptEmbedding) peft.baseModel().module("bert.prompt_encoder.default");
            SoftPrompt prompt = SoftPrompt.from(encoder.encode(new ParameterStore(peft.baseModel().manager(), false), batch(scope), false, null));
            assertThat(prompt.embeddings().getShape()).isEqualTo(new Shape(2, 8, 16));
            float[] table = encoder.promptEmbeddings().values();
            assertThat(prompt.embeddings().get(0).toFloatArray()).containsExactly(table);
            assertThat(prompt.embeddings().get(1).toFloatArray()).containsExactly(table);
        }
    }

    @Test
    void countsOnMiniLmsShapeMatchTheClosedForm() {
        try (PeftModel peft = adaptMiniLm(manager, PromptTuningConfig.defaults(), ConfigOrigin.USER)) {
            assertThat(peft.trainableParameterCount()).isEqualTo(20L * 384 + MINILM_HEAD).isEqualTo(8_450L);
        }
    }

    @Test
    void randomInitIsStandardNormal() {
        try (PeftModel peft = adaptMiniLm(manager, PromptTuningConfig.defaults(), ConfigOrigin.USER)) {
            float[] table = peft.trainableParameters().get("bert.prompt_encoder.default.embedding.weight").getArray().toFloatArray();
            double mean = 0;
            double square = 0;
            for (float value : table) {
                mean += value;
                square += value * value;
            }
            mean /= table.length;
            double std = Math.sqrt(square / table.length - mean * mean);
            // 7,680 draws of N(0, 1): mean within 4 sigma / sqrt(n), std within a few percent
            assertThat(mean).isBetween(-0.05, 0.05);
            assertThat(std).isBetween(0.95, 1.05);
        }
    }

    @Test
    void textInitCopiesTheWordEmbeddingsOfTheTokenizedTextRepeatedToLength() {
        try (PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS),
                EIGHT.withInit(PromptTuningInit.TEXT, "ignored by the stub"), ConfigOrigin.USER, text -> new long[] {2, 17, 23, 3})) {
            float[] words = peft.baseModel().inputEmbeddings().weight().getArray().toFloatArray();
            float[] table = peft.trainableParameters().get("bert.prompt_encoder.default.embedding.weight").getArray().toFloatArray();
            long[] expectedIds = {2, 17, 23, 3, 2, 17, 23, 3};
            for (int i = 0; i < 8; i++) {
                assertThat(row(table, 16, i)).as("virtual token %d", i).containsExactly(row(words, 16, expectedIds[i]));
            }
        }
        assertThat(PromptTuningInitializers.fit(new long[] {1, 2, 3, 4, 5}, 3)).containsExactly(1, 2, 3);
        assertThat(PromptTuningInitializers.fit(new long[] {1, 2}, 5)).containsExactly(1, 2, 1, 2, 1);
    }

    @Test
    void textInitTakesItsIdsFromASentenceTokenizerWithSpecialTokens() throws Exception {
        try (var in = getClass().getResourceAsStream("/dev/peft4j/core/train/tiny-tokenizer.json");
                SentenceTokenizer tokenizer = SentenceTokenizer.load(in, 16)) {
            long[] ids = tokenizer.encode("good film");
            assertThat(ids).hasSize(4);
            assertThat(ids[0]).isEqualTo(tokenizer.encode(List.of("good film")).toNDList(manager).get(0).toLongArray()[0]);
            try (PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS),
                    EIGHT.withInit(PromptTuningInit.TEXT, "good film"), ConfigOrigin.USER, tokenizer)) {
                float[] words = peft.baseModel().inputEmbeddings().weight().getArray().toFloatArray();
                float[] table = peft.trainableParameters().get("bert.prompt_encoder.default.embedding.weight").getArray().toFloatArray();
                for (int i = 0; i < 8; i++) {
                    assertThat(row(table, 16, i)).as("virtual token %d", i).containsExactly(row(words, 16, ids[i % 4]));
                }
            }
        }
    }

    @Test
    void textInitFailsClearlyWithoutATokenizerOrWithIdsOutsideTheVocabulary() {
        PromptTuningConfig text = EIGHT.withInit(PromptTuningInit.TEXT, "positive or negative");
        assertThatThrownBy(() -> adapt(manager, TaskType.SEQ_CLS, text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt.prompt_tuning_init is TEXT, which needs the base model's tokenizer: pass it to "
                        + "PeftRuntime.getPeftModel(model, config, origin, tokenizer) (a SentenceTokenizer is one)");
        assertThatThrownBy(() -> RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), text, ConfigOrigin.USER,
                ignored -> new long[] {101, 2, 102}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt.prompt_tuning_init_text 'positive or negative' gives token id 101, outside the model's vocabulary of 50"
                        + " (ids [101, 2, 102])");
    }

    @Test
    void sampleVocabInitCopiesRowsOfTheWordEmbeddings() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT.withInit(PromptTuningInit.SAMPLE_VOCAB, null))) {
            float[] words = peft.baseModel().inputEmbeddings().weight().getArray().toFloatArray();
            float[] table = peft.trainableParameters().get("bert.prompt_encoder.default.embedding.weight").getArray().toFloatArray();
            List<float[]> vocabulary = new ArrayList<>();
            for (int id = 0; id < 50; id++) {
                vocabulary.add(row(words, 16, id));
            }
            for (int i = 0; i < 8; i++) {
                float[] virtual = row(table, 16, i);
                assertThat(vocabulary).as("virtual token %d", i).anySatisfy(word -> assertThat(word).containsExactly(virtual));
            }
        }
    }

    @Test
    void theDisableScopeComputesTheBaseModelExactly() {
        try (NDManager scope = manager.newSubManager()) {
            float[] base;
            try (TransformerModel plain = TinyBert.create(manager, TaskType.SEQ_CLS)) {
                base = plain.forward(batch(scope), false).head().toFloatArray();
            }
            try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT)) {
                assertThat(peft.forward(batch(scope), false).head().toFloatArray()).isNotEqualTo(base);
                try (var disabled = peft.disableAdapter()) {
                    assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(base);
                }
            }
        }
    }

    @Test
    void aPaddedBatchEqualsEachSentenceAloneAndKeepsTheRealTokensShape() {
        try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, EIGHT); NDManager scope = manager.newSubManager()) {
            NDArray batched = peft.forward(batch(scope), false).head();
            assertThat(batched.getShape()).isEqualTo(new Shape(2, 4, 16));
            float[] alone = peft.forward(secondAlone(scope), false).head().toFloatArray();
            assertClose(batched.get(new NDIndex("1:2, :3, :")).toFloatArray(), alone, 1e-5f);
        }
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT); NDManager scope = manager.newSubManager()) {
            float[] logits = peft.forward(batch(scope), false).head().get(new NDIndex("1:2")).toFloatArray();
            assertClose(logits, peft.forward(secondAlone(scope), false).head().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void onlyThePromptAndTheHeadReceiveGradientsAndMove() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT); NDManager scope = manager.newSubManager()) {
            GradientChecks.backward(peft, scope);
            assertThat(GradientChecks.assertOnlyTheseGetGradients(peft, TRAINABLE)).isEqualTo(3);
        }
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT); NDManager scope = manager.newSubManager()) {
            GradientChecks.assertThreeSgdStepsMoveOnlyTrainables(peft, scope);
        }
    }

    @Test
    void tooManyVirtualTokensForThePositionTableFailAtTheForwardPass() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, PromptTuningConfig.defaults().withNumVirtualTokens(30));
                NDManager scope = manager.newSubManager()) {
            assertThatThrownBy(() -> peft.forward(batch(scope), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sequence of 4 tokens after 30 virtual tokens needs 34 positions, more than max_position_embeddings 32");
        }
    }
}
