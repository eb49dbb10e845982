package dev.peft4j.adapter;

import static dev.peft4j.adapter.BottleneckTesting.adapt;
import static dev.peft4j.adapter.BottleneckTesting.batch;
import static dev.peft4j.adapter.BottleneckTesting.layer;
import static dev.peft4j.adapter.BottleneckTesting.randomInit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bottleneck adapters injected into BERT models: outputs, parameter paths and counts against closed forms. */
class BottleneckMethodTest {

    /** TinyBert: d = 16, 2 layers; reduction factor 16 gives m = 1: 2 * 16 * 1 + 16 + 1 per adapter. */
    private static final int TINY_R16 = 2 * 16 + 16 + 1;
    /** The parallel preset's reduction factor 2 gives m = 8. */
    private static final int TINY_R2 = 2 * 16 * 8 + 16 + 8;
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

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void aFreshAdapterIsAnExactNoOp(BottleneckPlacement placement) {
        for (TaskType task : List.of(TaskType.FEATURE_EXTRACTION, TaskType.SEQ_CLS)) {
            try (TransformerModel base = TinyBert.create(manager, task);
                    PeftModel peft = adapt(manager, task, BottleneckConfig.of(placement));
                    NDManager scope = manager.newSubManager()) {
                float[] expected = base.forward(batch(scope), false).head().toFloatArray();
                assertThat(peft.forward(batch(scope), false).head().toFloatArray()).as(task.name()).containsExactly(expected);
            }
        }
    }

    @Test
    void pfeifferWrapsEveryFeedForwardOutputAndTrainsOnlyTheAdapters() {
        try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, BottleneckConfig.defaults())) {
            assertThat(peft.trainableParameters().keySet()).containsExactly(
                    "encoder.layer.0.output.adapters.default.adapter_down.weight",
                    "encoder.layer.0.output.adapters.default.adapter_down.bias",
                    "encoder.layer.0.output.adapters.default.adapter_up.weight",
                    "encoder.layer.0.output.adapters.default.adapter_up.bias",
                    "encoder.layer.1.output.adapters.default.adapter_down.weight",
                    "encoder.layer.1.output.adapters.default.adapter_down.bias",
                    "encoder.layer.1.output.adapters.default.adapter_up.weight",
                    "encoder.layer.1.output.adapters.default.adapter_up.bias");
            assertThat(peft.trainableParameterCount()).isEqualTo(2 * TINY_R16);
            assertThat(layer(peft, "encoder.layer.1.output").adapter().bottleneckSize()).isEqualTo(1);
            assertThat(peft.baseModel().module("encoder.layer.0.attention.output")).isNotInstanceOf(BottleneckLayer.class);
        }
    }

    @Test
    void basePathsAreUnchangedAndCheckpointKeysDropTheAdapterName() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, BottleneckConfig.of(BottleneckPlacement.HOULSBY))) {
            BottleneckLayer attention = layer(peft, "bert.encoder.layer.0.attention.output");
            assertThat(attention.placement()).isEqualTo(BottleneckPlacement.HOULSBY);
            assertThat(attention.adapter().nonLinearity()).isEqualTo(BottleneckNonLinearity.SWISH);
            var parameters = Parameters.byName(peft.baseModel().root());
            assertThat(parameters.get("bert.encoder.layer.0.attention.output.dense.weight"))
                    .isSameAs(((Linear) attention.base().child("dense")).weight());
            assertThat(parameters).containsKeys("bert.encoder.layer.1.output.LayerNorm.bias",
                    "bert.encoder.layer.1.attention.output.adapters.default.adapter_up.bias");
            assertThat(peft.adapterWeights().keySet()).containsExactly(
                    "base_model.model.bert.encoder.layer.0.attention.output.adapters.adapter_down.weight",
                    "base_model.model.bert.encoder.layer.0.attention.output.adapters.adapter_down.bias",
                    "base_model.model.bert.encoder.layer.0.attention.output.adapters.adapter_up.weight",
                    "base_model.model.bert.encoder.layer.0.attention.output.adapters.adapter_up.bias",
                    "base_model.model.bert.encoder.layer.0.output.adapters.adapter_down.weight",
                    "base_model.model.bert.encoder.layer.0.output.adapters.adapter_down.bias",
                    "base_model.model.bert.encoder.layer.0.output.adapters.adapter_up.weight",
                    "base_model.model.bert.encoder.layer.0.output.adapters.adapter_up.bias",
                    "base_model.model.bert.encoder.layer.1.attention.output.adapters.adapter_down.weight",
                    "base_model.model.bert.encoder.layer.1.attention.output.adapters.adapter_down.bias",
                    "base_model.model.bert.encoder.layer.1.attention.output.adapters.adapter_up.weight",
                    "base_model.model.bert.encoder.layer.1.attention.output.adapters.adapter_up.bias",
                    "base_model.model.bert.encoder.layer.1.output.adapters.adapter_down.weight",
                    "base_model.model.bert.encoder.layer.1.output.adapters.adapter_down.bias",
                    "base_model.model.bert.encoder.layer.1.output.adapters.adapter_up.weight",
                    "base_model.model.bert.encoder.layer.1.output.adapters.adapter_up.bias",
                    "base_model.model.classifier.weight",
                    "base_model.model.classifier.bias");
            assertThat(peft.adapterWeights().get("base_model.model.bert.encoder.layer.0.output.adapters.adapter_down.weight").shape())
                    .containsExactly(1, 16);
        }
    }

    @Test
    void tinyBertCountsHaveTheClosedForm() {
        assertTrainable(BottleneckConfig.defaults(), 2 * TINY_R16);
        assertTrainable(BottleneckConfig.of(BottleneckPlacement.HOULSBY), 2 * 2 * TINY_R16);
        assertTrainable(BottleneckConfig.of(BottleneckPlacement.PARALLEL), 2 * TINY_R2);
        assertTrainable(BottleneckConfig.defaults().withWidth(null, 5), 2 * (2 * 16 * 5 + 16 + 5));
        assertTrainable(BottleneckConfig.defaults().withLayersToTransform(List.of(1)), TINY_R16);
    }

    private static void assertTrainable(BottleneckConfig config, long adapters) {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config)) {
            assertThat(peft.trainableParameterCount()).as(config.toString()).isEqualTo(adapters + CLASSIFIER);
        }
    }

    @Test
    void realMiniLmShapeHasTheClosedFormCounts() {
        long perAdapter = 2 * 384 * 24 + 384 + 24;
        long classifier = 384 * 2 + 2;
        assertThat(perAdapter).isEqualTo(18_840);
        long embeddings = (30522 + 512 + 2) * 384 + 2 * 384;
        long layer = 4 * (384 * 384 + 384) + (384 * 1536 + 1536) + (1536 * 384 + 384) + 2 * 2 * 384;
        long base = embeddings + 6 * layer + 2 * classifier;
        assertThat(base).isEqualTo(22_566_916);
        try (PeftModel peft = miniLm(BottleneckConfig.defaults())) {
            assertThat(peft.trainableParameterCount()).isEqualTo(6 * perAdapter + classifier).isEqualTo(113_040 + 770);
            assertThat(peft.totalParameterCount()).isEqualTo(base + 113_040);
            assertThat(peft.trainableParametersLine())
                    .isEqualTo("trainable params: 113,810 || all params: 22,679,956 || trainable%: 0.5018");
        }
        try (PeftModel peft = miniLm(BottleneckConfig.of(BottleneckPlacement.HOULSBY))) {
            assertThat(peft.trainableParameterCount()).isEqualTo(2 * 6 * perAdapter + classifier).isEqualTo(226_080 + 770);
        }
        try (PeftModel peft = miniLm(BottleneckConfig.of(BottleneckPlacement.PARALLEL))) {
            long parallel = 2 * 384 * 192 + 384 + 192;
            assertThat(parallel).isEqualTo(148_032);
            assertThat(peft.trainableParameterCount()).isEqualTo(6 * parallel + classifier).isEqualTo(888_192 + 770);
        }
    }

    private static PeftModel miniLm(BottleneckConfig config) {
        return BottleneckTesting.RUNTIME.getPeftModel(TransformerModel.bert(BottleneckTesting.MINILM, TaskType.SEQ_CLS, 2, manager),
                config, ConfigOrigin.USER);
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void disableScopeGivesTheBaseOutputWithNonZeroUpProjection(BottleneckPlacement placement) {
        try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION);
                PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, randomInit(placement));
                NDManager scope = manager.newSubManager()) {
            assertThat(layer(peft, "encoder.layer.0.output").adapter().up().weight().getArray().abs().sum().getFloat()).isPositive();
            float[] expected = base.forward(batch(scope), false).head().toFloatArray();
            float[] adapted = peft.forward(batch(scope), false).head().toFloatArray();
            assertThat(adapted).isNotEqualTo(expected);
            try (var disabled = peft.disableAdapter()) {
                assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(expected);
            }
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(adapted);
        }
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void aPaddedBatchEqualsEachSentenceAlone(BottleneckPlacement placement) {
        for (TaskType task : List.of(TaskType.FEATURE_EXTRACTION, TaskType.SEQ_CLS)) {
            try (PeftModel peft = adapt(manager, task, randomInit(placement)); NDManager scope = manager.newSubManager()) {
                NDArray batched = peft.forward(batch(scope), false).head();
                NDArray first = peft.forward(new NDList(scope.create(new long[][] {{2, 7, 9, 3}}),
                        scope.create(new long[][] {{1, 1, 1, 1}})), false).head();
                NDArray second = peft.forward(new NDList(scope.create(new long[][] {{2, 5, 3}}),
                        scope.create(new long[][] {{1, 1, 1}})), false).head();
                // the padded position of the second sentence is not compared
                NDArray secondReal = task == TaskType.SEQ_CLS ? batched.get("1:2") : batched.get(new NDIndex("1:2, 0:3"));
                assertThat(batched.get("0:1").toFloatArray()).as(task.name()).containsExactly(first.toFloatArray(), within(1e-5f));
                assertThat(secondReal.toFloatArray()).as(task.name()).containsExactly(second.toFloatArray(), within(1e-5f));
            }
        }
    }

    @Test
    void layersToTransformOutsideTheModelFailBeforeAnythingChanges() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            var method = new BottleneckProvider().create(BottleneckConfig.defaults().withLayersToTransform(List.of(0, 5)));
            var context = new InjectionContext(model, InjectionContext.DEFAULT_ADAPTER, ConfigOrigin.USER);
            assertThatThrownBy(() -> method.apply(context))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("layers_to_transform entry 5 is out of range; the model has layers 0..1");
            var tooNarrow = new BottleneckProvider().create(BottleneckConfig.defaults().withWidth(32, null));
            assertThatThrownBy(() -> tooNarrow.apply(context))
                    .hasMessage("bottleneck.reduction_factor 32 leaves no bottleneck for hidden size 16 (16 / 32 = 0);"
                            + " use a smaller factor or bottleneck_size");
            assertThat(model.modules().values().stream().filter(BottleneckLayer.class::isInstance)).isEmpty();
        }
    }

    @Test
    void anOutputCannotTakeTheSameAdapterTwice() {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, BottleneckConfig.defaults())) {
            var again = new BottleneckProvider().create(BottleneckConfig.of(BottleneckPlacement.HOULSBY));
            var context = new InjectionContext(peft.baseModel(), InjectionContext.DEFAULT_ADAPTER, ConfigOrigin.USER);
            assertThatThrownBy(() -> again.apply(context))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bottleneck target 'bert.encoder.layer.0.output' already holds adapter 'default'");
            assertThat(peft.baseModel().module("bert.encoder.layer.0.attention.output")).isNotInstanceOf(BottleneckLayer.class);
        }
    }

    @Test
    void newParametersLiveInTheModelsManager() {
        try (PeftModel peft = adapt(manager, TaskType.FEATURE_EXTRACTION, BottleneckConfig.defaults())) {
            Map<String, Parameter> trainable = peft.trainableParameters();
            assertThat(trainable.values()).allSatisfy(parameter ->
                    assertThat(parameter.getArray().getManager()).isSameAs(peft.baseModel().manager()));
        }
    }

    @Test
    void severalAdaptersEachWithItsPlacementOneActiveAtATime(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, randomInit(BottleneckPlacement.PFEIFFER));
                NDManager scope = manager.newSubManager()) {
            peft.addAdapter("houlsby", randomInit(BottleneckPlacement.HOULSBY));
            assertThat(layer(peft, "bert.encoder.layer.0.output").adapterNames()).containsExactly("default", "houlsby");
            assertThat(layer(peft, "bert.encoder.layer.0.attention.output").adapterNames()).containsExactly("houlsby");
            assertThat(layer(peft, "bert.encoder.layer.0.output").adapter("houlsby")).isNotSameAs(
                    layer(peft, "bert.encoder.layer.0.output").adapter());
            float[] pfeiffer = peft.forward(batch(scope), false).head().toFloatArray();
            peft.setActiveAdapter("houlsby");
            float[] houlsby = peft.forward(batch(scope), false).head().toFloatArray();
            assertThat(houlsby).isNotEqualTo(pfeiffer);
            assertThat(peft.trainableParameters().keySet()).isNotEmpty().allMatch(name -> name.contains(".houlsby."));
            assertThatThrownBy(() -> peft.setActiveAdapters(List.of("default", "houlsby"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("peft_type BOTTLENECK allows one active adapter at a time, got [default, houlsby]");
            peft.savePretrained(dir);
            try (PeftModel loaded = BottleneckTesting.RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir)) {
                loaded.loadAdapter(dir.resolve("houlsby"), "houlsby");
                assertThat(loaded.forward(batch(scope), false).head().toFloatArray()).containsExactly(pfeiffer);
                loaded.setActiveAdapter("houlsby");
                assertThat(loaded.forward(batch(scope), false).head().toFloatArray()).containsExactly(houlsby);
            }
            peft.deleteAdapter("default");
            assertThat(peft.baseModel().module("bert.encoder.layer.0.output")).isInstanceOf(BottleneckLayer.class);
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(houlsby);
            assertThatThrownBy(peft::merge).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter 'houlsby' (peft_type BOTTLENECK) cannot be merged: its layer 'bert.encoder.layer.0.attention.output'"
                            + " (BottleneckLayer) has no weights to fold it into; only LoRA and DoRA adapters merge");
        }
    }
}
