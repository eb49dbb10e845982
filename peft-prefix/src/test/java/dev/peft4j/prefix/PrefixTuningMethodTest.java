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
import dev.peft4j.core.io.HostTensor;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.model.KeyValuePrefix;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.GradientChecks;
import dev.peft4j.core.spi.ConfigOrigin;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Prefix tuning on TinyBert (2 layers, hidden 16, 4 heads) and on MiniLM's shape. */
class PrefixTuningMethodTest {

    private static final PrefixTuningConfig EIGHT = PrefixTuningConfig.defaults().withNumVirtualTokens(8);
    private static final String TRAINABLE = "bert\\.prompt_encoder\\.default\\..*|classifier\\.modules_to_save\\.default\\.(weight|bias)";

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
    void trainsOnePrefixTensorOfHfsShapeBesideTheHead() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT)) {
            assertThat(peft.trainableParameters()).containsOnlyKeys("bert.prompt_encoder.default.embedding.weight",
                    "classifier.modules_to_save.default.weight", "classifier.modules_to_save.default.bias");
            assertThat(peft.trainableParameters().get("bert.prompt_encoder.default.embedding.weight").getShape())
                    .isEqualTo(new Shape(8, 2 * 2 * 16));
            // 8 * layers 2 * 2 (key, value) * hidden 16, plus the head 16 * 2 + 2
            assertThat(peft.trainableParameterCount()).isEqualTo(8 * 2 * 2 * 16 + 34);
        }
    }

    @Test
    void countsOnMiniLmsShapeMatchTheClosedForm() {
        try (PeftModel peft = adaptMiniLm(manager, PrefixTuningConfig.defaults(), ConfigOrigin.USER)) {
            assertThat(peft.trainableParameterCount()).isEqualTo(20L * 6 * 2 * 384 + MINILM_HEAD).isEqualTo(92_930L);
        }
        try (PeftModel peft = adaptMiniLm(manager, PrefixTuningConfig.defaults().withPrefixProjection(true, null), ConfigOrigin.USER)) {
            long width = 6L * 2 * 384;
            long expected = 20L * 384 + (384L * 384 + 384) + (384 * width + width) + MINILM_HEAD;
            assertThat(peft.trainableParameterCount()).isEqualTo(expected).isEqualTo(1_930_370L);
        }
    }

    /**
     * HF's {@code get_prompt}: the row of virtual token {@code p} is viewed as
     * {@code (2 * layers, heads, head_size)}; entry {@code 2i} is layer {@code i}'s key, {@code 2i + 1} its value.
     */
    @Test
    void thePrefixTableIsLaidOutAsHfsPastKeyValues() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT); NDManager scope = manager.newSubManager()) {
            PrefixEncoder encoder = (PrefixEncoder) peft.baseModel().module("bert.prompt_encoder.default");
            float[] table = encoder.promptEmbeddings().values();
            var params = encoder.encode(new ParameterStore(peft.baseModel().manager(), false), batch(scope), false, null);
            KeyValuePrefix prefix = KeyValuePrefix.from(params);
            assertThat(prefix.numLayers()).isEqualTo(2);
            assertThat(prefix.length()).isEqualTo(8);
            int width = 2 * 2 * 16;
            for (int layer = 0; layer < 2; layer++) {
                float[] keys = prefix.key(layer).toFloatArray();
                float[] values = prefix.value(layer).toFloatArray();
                assertThat(prefix.key(layer).getShape()).isEqualTo(new Shape(2, 4, 8, 4));
                for (int b = 0; b < 2; b++) {
                    for (int h = 0; h < 4; h++) {
                        for (int p = 0; p < 8; p++) {
                            for (int d = 0; d < 4; d++) {
                                int at = ((b * 4 + h) * 8 + p) * 4 + d;
                                assertThat(keys[at]).isEqualTo(table[p * width + (2 * layer) * 16 + h * 4 + d]);
                                assertThat(values[at]).isEqualTo(table[p * width + (2 * layer + 1) * 16 + h * 4 + d]);
                            }
                        }
                    }
                }
            }
            try (var disabled = peft.disableAdapter()) {
                assertThat(encoder.encode(new ParameterStore(peft.baseModel().manager(), false), batch(scope), false, null).isEmpty()).isTrue();
            }
        }
    }

    @Test
    void anHfWrittenConfigAppliesWhenItsModelKeysAgreeAndNamesBothValuesWhenNot() {
        try (PeftModel peft = adaptMiniLm(manager, RUNTIME.readHfConfig(PrefixTuningConfigTest.HF_CONFIG), ConfigOrigin.CHECKPOINT)) {
            assertThat(peft.trainableParameterCount()).isEqualTo(92_930L);
        }
        String twelve = PrefixTuningConfigTest.HF_CONFIG.replace("\"num_layers\": 6", "\"num_layers\": 12");
        assertThatThrownBy(() -> adaptMiniLm(manager, RUNTIME.readHfConfig(twelve), ConfigOrigin.CHECKPOINT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prefix.num_layers is 12, but the model has 6 layers");
        String wide = PrefixTuningConfigTest.HF_CONFIG.replace("\"token_dim\": 384", "\"token_dim\": 768");
        assertThatThrownBy(() -> adaptMiniLm(manager, RUNTIME.readHfConfig(wide), ConfigOrigin.CHECKPOINT))
                .hasMessage("prefix.token_dim is 768, but the model has 384 as key/value width (head_dim * num_key_value_heads)");
        String heads = PrefixTuningConfigTest.HF_CONFIG.replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 6");
        assertThatThrownBy(() -> adaptMiniLm(manager, RUNTIME.readHfConfig(heads), ConfigOrigin.CHECKPOINT))
                .hasMessage("prefix.num_attention_heads is 6, but the model has 12 key/value heads");
        String seq2seq = PrefixTuningConfigTest.HF_CONFIG.replace("\"num_transformer_submodules\": 1", "\"num_transformer_submodules\": 2");
        assertThatThrownBy(() -> adaptMiniLm(manager, RUNTIME.readHfConfig(seq2seq), ConfigOrigin.CHECKPOINT))
                .hasMessage("prefix.num_transformer_submodules is 2, but the model has 1 (an encoder-only or decoder-only model; 2 is for encoder-decoder models)");
    }

    @Test
    void theAppliedConfigCarriesTheModelsSizesAsHfWritesThem() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT)) {
            assertThat(peft.config()).isEqualTo(new PrefixTuningConfig(8, false, 16, java.util.List.of(), 2, 16, 4, 1));
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
                assertThat(peft.forward(batch(scope), false).head().toFloatArray()).isNotEqualTo(base);
            }
        }
    }

    @Test
    void aPaddedBatchEqualsEachSentenceAlone() {
        for (PrefixTuningConfig config : new PrefixTuningConfig[] {EIGHT, EIGHT.withPrefixProjection(true, 12)}) {
            try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, config); NDManager scope = manager.newSubManager()) {
                NDArray batched = peft.forward(batch(scope), false).head();
                assertThat(batched.getShape()).isEqualTo(new Shape(2, 4, 16));
                float[] alone = peft.forward(secondAlone(scope), false).head().toFloatArray();
                assertClose(batched.get(new NDIndex("1:2, :3, :")).toFloatArray(), alone, 1e-5f);
            }
        }
    }

    @Test
    void onlyThePrefixAndTheHeadReceiveGradients() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT); NDManager scope = manager.newSubManager()) {
            GradientChecks.backward(peft, scope);
            assertThat(GradientChecks.assertOnlyTheseGetGradients(peft, TRAINABLE)).isEqualTo(3);
        }
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT.withPrefixProjection(true, 12));
                NDManager scope = manager.newSubManager()) {
            GradientChecks.backward(peft, scope);
            assertThat(GradientChecks.assertOnlyTheseGetGradients(peft, TRAINABLE)).isEqualTo(1 + 4 + 2);
        }
    }

    @Test
    void threeSgdStepsMoveThePrefixButLeaveTheBaseBitIdentical() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT.withPrefixProjection(true, 12));
                NDManager scope = manager.newSubManager()) {
            GradientChecks.assertThreeSgdStepsMoveOnlyTrainables(peft, scope);
        }
    }

    @Test
    void theCheckpointHoldsHfsPromptEmbeddingsAndTheHead() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT)) {
            Map<String, HostTensor> weights = peft.adapterWeights();
            assertThat(weights).containsOnlyKeys(AdapterKeys.PROMPT_EMBEDDINGS, "base_model.model.classifier.weight",
                    "base_model.model.classifier.bias");
            HostTensor prompt = weights.get(AdapterKeys.PROMPT_EMBEDDINGS);
            assertThat(prompt.shape()).containsExactly(8L, 64L);
            assertThat(prompt).isEqualTo(Parameters.stateDict(peft.baseModel().root()).get("bert.prompt_encoder.default.embedding.weight"));
        }
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT.withPrefixProjection(true, 12))) {
            // HF saves the projected prefix, not the MLP: (P, layers * 2 * d)
            assertThat(peft.adapterWeights().get(AdapterKeys.PROMPT_EMBEDDINGS).shape()).containsExactly(8L, 64L);
        }
    }

    @Test
    void aSecondPromptEncoderOfTheSameAdapterNameIsRejected() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, EIGHT)) {
            assertThatThrownBy(() -> RUNTIME.createMethod(EIGHT).apply(new dev.peft4j.core.spi.InjectionContext(peft.baseModel(), "default",
                    ConfigOrigin.USER)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a prompt encoder is already attached for adapter 'default' (prompt_encoder.default)");
        }
    }
}
