package dev.peft4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.memory.LiveModelShapes;
import dev.peft4j.core.memory.MemoryAccountant;
import dev.peft4j.core.memory.MemoryBreakdown;
import dev.peft4j.core.memory.OptimizerKind;
import dev.peft4j.core.memory.PlanSettings;
import dev.peft4j.core.memory.WeightFormat;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The closed forms of every installed method, on the shape of the real all-MiniLM-L6-v2 with a
 * SEQ_CLS head, equal the parameters of the model each method actually builds.
 */
class LiveShapeAccountingTest {

    private static final PeftRuntime RUNTIME = PeftRuntime.discover();
    private static NDManager manager;
    private static ImportedBert imported;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        imported = BundledModel.ALL_MINILM_L6_V2.importWeights();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Stream<String> configs() {
        return Stream.of(
                "{\"peft_type\": \"LORA\", \"r\": 8, \"lora_alpha\": 16, \"target_modules\": [\"query\", \"value\"]}",
                "{\"peft_type\": \"LORA\", \"r\": 4, \"use_rslora\": true, \"target_modules\": \"all-linear\", \"bias\": \"all\"}",
                "{\"peft_type\": \"LORA\", \"r\": 8, \"use_dora\": true, \"target_modules\": [\"query\", \"key\", \"value\", \"dense\"],"
                        + " \"rank_pattern\": {\"intermediate.dense\": 2}, \"bias\": \"lora_only\", \"modules_to_save\": [\"embeddings.LayerNorm\"]}",
                "{\"peft_type\": \"LORA\", \"target_modules\": [\"query\"], \"layers_to_transform\": [0, 5]}",
                "{\"peft_type\": \"BOTTLENECK\", \"placement\": \"pfeiffer\"}",
                "{\"peft_type\": \"BOTTLENECK\", \"placement\": \"houlsby\", \"layers_to_transform\": [1, 2]}",
                "{\"peft_type\": \"BOTTLENECK\", \"placement\": \"parallel\", \"bottleneck_size\": 100}",
                "{\"peft_type\": \"PREFIX_TUNING\", \"num_virtual_tokens\": 20}",
                "{\"peft_type\": \"PREFIX_TUNING\", \"num_virtual_tokens\": 10, \"prefix_projection\": true, \"encoder_hidden_size\": 64}",
                "{\"peft_type\": \"PROMPT_TUNING\", \"num_virtual_tokens\": 20}",
                "{\"peft_type\": \"FULL\"}");
    }

    @ParameterizedTest
    @MethodSource("configs")
    void closedFormEqualsTheAdaptedModel(String json) {
        PeftConfig config = RUNTIME.readUserConfig(json);
        TransformerModel base = TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, 2, manager);
        ModelShape shape = LiveModelShapes.of(base);
        assertThat(shape.parameterCount()).isEqualTo(Parameters.count(base.root(), false));
        MemoryBreakdown accounted = account(RUNTIME.registry().byConfigType(config.getClass()), config, shape);
        try (PeftModel peft = RUNTIME.getPeftModel(base, config, ConfigOrigin.USER)) {
            assertThat(accounted.trainableParameters()).as(json).isEqualTo(Parameters.count(peft.baseModel().root(), true));
            assertThat(accounted.totalParameters()).as(json).isEqualTo(Parameters.count(peft.baseModel().root(), false));
            long saved = peft.adapterWeights().values().stream().mapToLong(t -> t.values().length).sum();
            assertThat(accounted.checkpointBytes()).as(json).isEqualTo(4 * saved);
        }
    }

    private static <C extends PeftConfig> MemoryBreakdown account(PeftMethodProvider<C> provider, PeftConfig config, ModelShape shape) {
        return MemoryAccountant.account(provider, provider.configType().cast(config), shape,
                new PlanSettings(WeightFormat.FP32, OptimizerKind.ADAMW, 32, 64, false));
    }
}
