package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.adapt;
import static dev.peft4j.lora.LoraTesting.batch;
import static dev.peft4j.lora.LoraTesting.lora;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.lora.LoraConfig.Bias;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LoRA injected into BERT models: outputs, trainable sets and counts against closed forms. */
class LoraMethodTest {

    /** TinyBert: hidden 16, 2 layers, intermediate 32; A (r x 16) + B (16 x r) per attention projection. */
    private static final int QV_R8 = 2 * 2 * (8 * 16 + 16 * 8);
    /** The SEQ_CLS classifier copy: Linear(16, 2) with bias. */
    private static final int CLASSIFIER = 16 * 2 + 2;

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
    void freshAdapterLeavesOutputsUnchangedAndTrainsOnlyLoraMatrices() {
        try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION);
                PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, LoraConfig.defaults());
                NDManager scope = manager.newSubManager()) {
            float[] expected = base.forward(batch(scope), false).head().toFloatArray();
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(expected);
            assertThat(peft.trainableParameters().keySet()).containsExactly(
                    "encoder.layer.0.attention.self.query.lora_A.default.weight",
                    "encoder.layer.0.attention.self.query.lora_B.default.weight",
                    "encoder.layer.0.attention.self.value.lora_A.default.weight",
                    "encoder.layer.0.attention.self.value.lora_B.default.weight",
                    "encoder.layer.1.attention.self.query.lora_A.default.weight",
                    "encoder.layer.1.attention.self.query.lora_B.default.weight",
                    "encoder.layer.1.attention.self.value.lora_A.default.weight",
                    "encoder.layer.1.attention.self.value.lora_B.default.weight");
            assertThat(peft.trainableParameterCount()).isEqualTo(QV_R8);
            assertThat(peft.baseModel().module("encoder.layer.0.attention.self.query.base_layer"))
                    .isSameAs(lora(peft, "encoder.layer.0.attention.self.query").base());
        }
    }

    @Test
    void sequenceClassificationAddsTheClassifierCopyAndKeepsLogits() {
        try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS);
                PeftModel peft = adapt(manager, TaskType.SEQ_CLS, LoraConfig.builder().targetModules("query", "value").build());
                NDManager scope = manager.newSubManager()) {
            float[] expected = base.forward(batch(scope), false).head().toFloatArray();
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(expected);
            assertThat(peft.trainableParameterCount()).isEqualTo(QV_R8 + CLASSIFIER);
            assertThat(peft.trainableParameters().keySet()).contains(
                    "bert.encoder.layer.1.attention.self.value.lora_B.default.weight",
                    "classifier.modules_to_save.default.weight", "classifier.modules_to_save.default.bias");
        }
    }

    @Test
    void realMiniLmShapeHasTheClosedFormCounts() {
        try (TransformerModel model = TransformerModel.bert(LoraTesting.MINILM, TaskType.SEQ_CLS, 2, manager);
                PeftModel peft = LoraTesting.RUNTIME.getPeftModel(model, LoraConfig.defaults(), ConfigOrigin.USER)) {
            long lora = 6 * 2 * 8 * (384 + 384);
            long classifier = 384 * 2 + 2;
            assertThat(lora).isEqualTo(73_728);
            assertThat(peft.trainableParameterCount()).isEqualTo(lora + classifier).isEqualTo(74_498);
            long embeddings = (30522 + 512 + 2) * 384 + 2 * 384;
            long layer = 4 * (384 * 384 + 384) + (384 * 1536 + 1536) + (1536 * 384 + 384) + 2 * 2 * 384;
            long total = embeddings + 6 * layer + 2 * classifier + lora;
            assertThat(peft.totalParameterCount()).isEqualTo(total).isEqualTo(22_640_644);
            assertThat(peft.trainableParametersLine())
                    .isEqualTo("trainable params: 74,498 || all params: 22,640,644 || trainable%: 0.3290");
        }
    }

    @Test
    void allLinearWrapsEveryLinearButTheHead() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, LoraConfig.builder().targetModules(TargetModules.allLinear()).build())) {
            long square = 8 * 16 + 16 * 8;
            long up = 8 * 16 + 32 * 8;
            long down = 8 * 32 + 16 * 8;
            assertThat(peft.trainableParameterCount()).isEqualTo(2 * (4 * square + up + down) + CLASSIFIER);
            assertThat(peft.baseModel().modules().values().stream().filter(LoraLayer.class::isInstance)).hasSize(12);
        }
    }

    @Test
    void rankAndAlphaPatternsChangeExactlyTheLayersNamed() {
        LoraConfig config = LoraConfig.builder()
                .rankPattern(Map.of("layer.1.attention.self.query", 4))
                .alphaPattern(Map.of("value", 32.0))
                .build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config)) {
            String prefix = "bert.encoder.layer.";
            assertLayer(lora(peft, prefix + "0.attention.self.query"), 8, 8.0, 1.0);
            assertLayer(lora(peft, prefix + "0.attention.self.value"), 8, 32.0, 4.0);
            assertLayer(lora(peft, prefix + "1.attention.self.query"), 4, 8.0, 2.0);
            assertLayer(lora(peft, prefix + "1.attention.self.value"), 8, 32.0, 4.0);
            assertThat(lora(peft, prefix + "1.attention.self.query").loraA().getShape().getShape()).containsExactly(4, 16);
            assertThat(lora(peft, prefix + "1.attention.self.query").loraB().getShape().getShape()).containsExactly(16, 4);
            assertThat(peft.trainableParameterCount()).isEqualTo(3 * (8 * 16 + 16 * 8) + (4 * 16 + 16 * 4) + CLASSIFIER);
        }
    }

    @Test
    void rsLoraScalingIsAlphaOverSqrtRank() {
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).useRslora(true).rankPattern(Map.of("value", 16)).build();
        try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, config)) {
            assertLayer(lora(peft, "encoder.layer.0.attention.self.query"), 4, 8.0, 4.0);
            assertLayer(lora(peft, "encoder.layer.0.attention.self.value"), 16, 8.0, 2.0);
        }
    }

    private static void assertLayer(LoraLayer layer, int rank, double alpha, double scaling) {
        assertThat(layer.rank()).isEqualTo(rank);
        assertThat(layer.alpha()).isEqualTo(alpha);
        assertThat(layer.scaling()).isEqualTo(scaling);
    }

    @Test
    void biasAllTrainsEveryBiasButTheFrozenHeadOriginal() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, LoraConfig.builder().bias(Bias.ALL).build())) {
            // embeddings LayerNorm 16; per layer q, k, v, attention dense, output dense and 2 LayerNorms
            // (7 x 16) plus the intermediate dense 32
            long biases = 16 + 2 * (7 * 16 + 32);
            assertThat(peft.trainableParameterCount()).isEqualTo(QV_R8 + CLASSIFIER + biases);
            Map<String, Parameter> trainable = peft.trainableParameters();
            assertThat(trainable).containsKeys("bert.embeddings.LayerNorm.bias",
                    "bert.encoder.layer.0.attention.self.query.base_layer.bias", "bert.encoder.layer.1.intermediate.dense.bias");
            assertThat(trainable).doesNotContainKey("classifier.original_module.bias");
            assertThat(trainable.keySet()).allSatisfy(name -> assertThat(name).matches(".*(\\.bias|lora_[AB]\\.default\\.weight|modules_to_save\\.default\\.weight)"));
        }
    }

    @Test
    void biasLoraOnlyTrainsTheWrappedLayersBiases() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, LoraConfig.builder().bias(Bias.LORA_ONLY).build())) {
            assertThat(peft.trainableParameterCount()).isEqualTo(QV_R8 + CLASSIFIER + 4 * 16);
            assertThat(peft.trainableParameters().keySet()).filteredOn(name -> name.endsWith("bias")).containsExactly(
                    "bert.encoder.layer.0.attention.self.query.base_layer.bias",
                    "bert.encoder.layer.0.attention.self.value.base_layer.bias",
                    "bert.encoder.layer.1.attention.self.query.base_layer.bias",
                    "bert.encoder.layer.1.attention.self.value.base_layer.bias",
                    "classifier.modules_to_save.default.bias");
        }
    }

    @Test
    void disableScopeGivesTheBaseOutputWithNonZeroB() {
        LoraConfig config = LoraConfig.builder().initLoraWeights(InitLoraWeights.RANDOM).build();
        try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION);
                PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, config);
                NDManager scope = manager.newSubManager()) {
            assertThat(lora(peft, "encoder.layer.0.attention.self.query").loraB().getArray().abs().sum().getFloat()).isPositive();
            float[] expected = base.forward(batch(scope), false).head().toFloatArray();
            float[] adapted = peft.forward(batch(scope), false).head().toFloatArray();
            assertThat(adapted).isNotEqualTo(expected);
            try (var disabled = peft.disableAdapter()) {
                assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(expected);
            }
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(adapted);
        }
    }

    @Test
    void mergingEveryLayerKeepsOutputsAndUnmergingRestoresTheBase() {
        LoraConfig config = LoraConfig.builder().targetModules(TargetModules.allLinear())
                .initLoraWeights(InitLoraWeights.RANDOM).build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config); NDManager scope = manager.newSubManager()) {
            List<LoraLayer> layers = peft.baseModel().modules().values().stream()
                    .filter(LoraLayer.class::isInstance).map(LoraLayer.class::cast).toList();
            Map<LoraLayer, float[]> before = new HashMap<>();
            layers.forEach(layer -> before.put(layer, layer.baseWeight().getArray().toFloatArray()));
            float[] unmerged = peft.forward(batch(scope), false).head().toFloatArray();
            layers.forEach(LoraLayer::merge);
            assertThat(layers.getFirst().baseWeight().getArray().toFloatArray()).isNotEqualTo(before.get(layers.getFirst()));
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(unmerged, within(1e-4f));
            layers.forEach(LoraLayer::unmerge);
            layers.forEach(layer -> assertThat(layer.baseWeight().getArray().toFloatArray())
                    .containsExactly(before.get(layer), within(1e-6f)));
        }
    }

    @Test
    void layersToTransformAndExcludeModulesNarrowTheTargets() {
        LoraConfig config = LoraConfig.builder().targetModules("query", "value", "key").layersToTransform(List.of(1))
                .excludeModules(TargetModules.names("key")).build();
        try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, config)) {
            assertThat(peft.baseModel().modules().entrySet().stream()
                    .filter(entry -> entry.getValue() instanceof LoraLayer).map(Map.Entry::getKey))
                    .containsExactly("encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value");
        }
    }

    @Test
    void nonLinearTargetsFailNamingPathAndTypeBeforeAnythingChanges() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            LoraMethod method = new LoraProvider().create(LoraConfig.builder().targetModules("query", "attention").build());
            var context = new InjectionContext(model, InjectionContext.DEFAULT_ADAPTER, ConfigOrigin.USER);
            assertThatThrownBy(() -> method.apply(context))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("lora target 'bert.encoder.layer.0.attention' is a BertAttention; LoRA wraps Linear and Conv1D layers only"
                            + " (target_modules [query, attention])");
            assertThat(model.modules().values().stream().filter(LoraLayer.class::isInstance)).isEmpty();
        }
    }

    @Test
    void fanInFanOutIsResetForOutInWeightsAsHfDoes() {
        try (NDManager scope = manager.newSubManager()) {
            TransformerModel model = TinyBert.create(scope, TaskType.SEQ_CLS);
            LoraMethod method = new LoraProvider().create(LoraConfig.builder().fanInFanOut(true).build());
            method.apply(new InjectionContext(model, InjectionContext.DEFAULT_ADAPTER, ConfigOrigin.USER));
            assertThat(method.config().fanInFanOut()).isFalse();
            assertThat(((LoraLayer) model.module("bert.encoder.layer.0.attention.self.query")).baseLayerView().fanInFanOut()).isFalse();
        }
    }

    @Test
    void unmatchedUserEntriesNameTheClosestModules() {
        try (NDManager scope = manager.newSubManager()) {
            assertThatThrownBy(() -> adapt(scope, TaskType.SEQ_CLS, LoraConfig.builder().targetModules("qurey").build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("target_modules entry 'qurey' matches no module; closest: [");
        }
    }

    @Test
    void newParametersLiveInTheModelsManager() {
        try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, LoraConfig.defaults())) {
            LoraLayer layer = lora(peft, "encoder.layer.0.attention.self.query");
            Block root = peft.baseModel().root();
            assertThat(Parameters.byName(root)).containsKey("encoder.layer.0.attention.self.query.lora_A.default.weight");
            assertThat(layer.loraA().getArray().getManager()).isSameAs(peft.baseModel().manager());
        }
    }
}
