package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.testing.ScaleConfig;
import dev.peft4j.core.testing.ScaleProvider;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PeftModelTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDList batch(NDManager scope) {
        return new NDList(scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}), scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}));
    }

    private static PeftModel adapt(TaskType task, ScaleConfig config) {
        PeftRuntime runtime = PeftRuntime.of(List.of(new ScaleProvider()));
        return runtime.getPeftModel(TinyBert.create(manager, task), config, ConfigOrigin.USER);
    }

    @Test
    void freshAdapterLeavesOutputsUnchangedAndFreezesTheBase() {
        try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION);
                PeftModel peft = adapt(TaskType.FEATURE_EXTRACTION, ScaleConfig.of(null));
                NDManager scope = manager.newSubManager()) {
            float[] expected = base.forward(batch(scope), false).head().toFloatArray();
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(expected);
            assertThat(peft.trainableParameters().keySet()).containsExactly(
                    "encoder.layer.0.attention.self.query.scale",
                    "encoder.layer.0.attention.self.value.scale",
                    "encoder.layer.1.attention.self.query.scale",
                    "encoder.layer.1.attention.self.value.scale");
            assertThat(peft.baseModel().module("encoder.layer.0.attention.self.query.base_layer")).isNotNull();
        }
    }

    @Test
    void trainableCountsMatchTheClosedFormAndHfLine() {
        try (PeftModel peft = adapt(TaskType.SEQ_CLS, ScaleConfig.of(TargetModules.names("query", "value")))) {
            // 2 layers x 2 targets x 16 scales, plus the classifier copy 16 x 2 + 2
            assertThat(peft.trainableParameterCount()).isEqualTo(2 * 2 * 16 + 34);
            assertThat(peft.modulesToSave()).containsExactly("classifier");
            long perLayer = 4 * (16 * 16 + 16) + 2 * 2 * 16 + (16 * 32 + 32) + (32 * 16 + 16);
            long base = (50 + 32 + 2) * 16 + 2 * 16 + 2 * perLayer + 34;
            long total = base + 2 * 2 * 16 + 34;
            assertThat(peft.totalParameterCount()).isEqualTo(total);
            assertThat(peft.trainableParametersLine()).isEqualTo(String.format(java.util.Locale.ROOT,
                    "trainable params: 98 || all params: %,d || trainable%%: %.4f", total, 9800.0 / total));
        }
    }

    @Test
    void disableScopeComputesTheBaseModelAndRestoresOnExitNestingAndExceptions() {
        try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS);
                PeftModel peft = adapt(TaskType.SEQ_CLS, ScaleConfig.of(null));
                NDManager scope = manager.newSubManager()) {
            float[] baseLogits = base.forward(batch(scope), false).head().toFloatArray();
            for (Parameter parameter : peft.trainableParameters().values()) {
                NDArray array = parameter.getArray();
                array.addi(0.5f);
            }
            float[] adapted = peft.forward(batch(scope), false).head().toFloatArray();
            assertThat(adapted).isNotEqualTo(baseLogits);
            try (var outer = peft.disableAdapter()) {
                try (var inner = peft.disableAdapter()) {
                    assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(baseLogits);
                }
                assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(baseLogits);
            }
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(adapted);
            assertThatThrownBy(() -> {
                try (var disabled = peft.disableAdapter()) {
                    throw new IllegalStateException("boom");
                }
            }).hasMessage("boom");
            assertThat(peft.forward(batch(scope), false).head().toFloatArray()).containsExactly(adapted);
        }
    }

    @Test
    void userModulesToSaveMustEachMatch() {
        var config = new ScaleConfig(null, null, null, List.of("classifier", "pooler"));
        assertThatThrownBy(() -> adapt(TaskType.SEQ_CLS, config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("modules_to_save entry 'pooler' matches no module; closest: [");
    }

    @Test
    void adapterWeightsUseHfCheckpointKeysAndRoundTripThroughTheFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (PeftModel peft = adapt(TaskType.SEQ_CLS, ScaleConfig.of(TargetModules.names("query")))) {
            var weights = peft.adapterWeights();
            assertThat(weights.keySet()).containsExactly(
                    "base_model.model.bert.encoder.layer.0.attention.self.query.scale",
                    "base_model.model.bert.encoder.layer.1.attention.self.query.scale",
                    "base_model.model.classifier.weight",
                    "base_model.model.classifier.bias");
            long bytes = dev.peft4j.core.io.AdapterCheckpoint.save(dir, "{\"peft_type\": \"TEST_SCALE\"}", weights, java.util.Map.of("format", "pt"));
            var read = dev.peft4j.core.io.safetensors.SafetensorsReader.read(dir.resolve("adapter_model.safetensors"));
            assertThat(read.tensors()).isEqualTo(weights);
            assertThat(read.metadata()).containsEntry("format", "pt");
            assertThat(java.nio.file.Files.readString(dir.resolve("adapter_config.json"))).isEqualTo("{\"peft_type\": \"TEST_SCALE\"}");
            assertThat(bytes).isEqualTo(java.nio.file.Files.size(dir.resolve("adapter_model.safetensors")) + 27);
        }
    }
}
