package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.TinyTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base modules named {@code default}, {@code lora_A} and {@code weight} do not confuse the key
 * mapping: HF's {@code str.replace(".default", "")} would turn {@code query.default.lora_A.lora_A.default.weight}
 * into {@code query.lora_A.lora_A.weight}; peft4j removes only the segments the adapter added, and the
 * checkpoint loads back into a model with the same names bit-exactly.
 */
class LoraKeyMappingTest {

    /** A container that forwards to its one child, so a module path gains a segment of our choosing. */
    static final class Named extends ModuleBlock {
        private final String name;

        Named(String name, Block child) {
            this.name = name;
            addChild(name, child);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            return child(name).forward(store, inputs, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return child(name).getOutputShapes(inputShapes);
        }
    }

    /** TinyBert whose query Linears sit at {@code query.default.lora_A} and value Linears at {@code value.weight}. */
    private static TransformerModel confusinglyNamed(NDManager manager) {
        TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS);
        for (int layer = 0; layer < 2; layer++) {
            String self = "bert.encoder.layer." + layer + ".attention.self.";
            model.replaceModule(self + "query", new Named("default", new Named("lora_A", model.module(self + "query"))));
            model.replaceModule(self + "value", new Named("weight", model.module(self + "value")));
        }
        return model;
    }

    @Test
    void baseModulesNamedLikeAdapterPartsKeepTheirNames(@TempDir Path dir) throws IOException {
        PeftRuntime runtime = PeftRuntime.of(List.of(new LoraProvider()));
        LoraConfig config = LoraConfig.builder().r(2).loraAlpha(4).targetModules("lora_A", "weight").build();
        try (NDManager manager = NDManager.newBaseManager(); SentenceTokenizer tokenizer = TinyTask.tokenizer();
                PeftModel saved = runtime.getPeftModel(confusinglyNamed(manager), config, ConfigOrigin.USER)) {
            saved.trainableParameters().values().forEach(parameter -> {
                float[] values = parameter.getArray().toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    values[i] += 0.01f * ((i % 7) - 3);
                }
                parameter.getArray().set(values);
            });
            String self = "base_model.model.bert.encoder.layer.0.attention.self.";
            assertThat(saved.adapterWeights().keySet()).contains(
                    self + "query.default.lora_A.lora_A.weight",
                    self + "query.default.lora_A.lora_B.weight",
                    self + "value.weight.lora_A.weight",
                    self + "value.weight.lora_B.weight",
                    "base_model.model.classifier.weight").hasSize(2 * 2 * 2 + 2);
            saved.savePretrained(dir);
            try (PeftModel loaded = runtime.fromPretrained(confusinglyNamed(manager), dir);
                    NDManager scope = manager.newSubManager(); var ignored = Autograd.noGrad()) {
                NDList inputs = tokenizer.encode(List.of("good film", "awful plot")).toNDList(scope);
                assertThat(loaded.forward(inputs, false).head().toFloatArray())
                        .containsExactly(saved.forward(inputs, false).head().toFloatArray());
            }
        }
    }
}
