package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.Autograd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt-learning folders written as HF PEFT writes them for a BERT {@code SEQ_CLS} model: the one
 * {@code prompt_embeddings} tensor plus the classifier, and a config with HF's model keys and
 * bookkeeping. The loaded model must compute exactly what a fresh adapter computes once its
 * prompt table (or, for prefix tuning with projection, a projection-free prefix table) and head
 * are set to the saved tensors by hand.
 */
class PromptLearningHfCheckpointTest {

    private static final String HF_COMMON = """
              "auto_mapping": null,
              "base_model_name_or_path": "prajjwal1/bert-tiny",
              "inference_mode": true,
              "modules_to_save": ["classifier", "score"],
              "num_attention_heads": 4,
              "num_layers": 2,
              "num_transformer_submodules": 1,
              "num_virtual_tokens": %d,
              "revision": null,
              "task_type": "SEQ_CLS",
              "token_dim": 16
            """;

    private static Map<String, HostTensor> tensors(long promptRows, long promptWidth, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("prompt_embeddings", random(random, promptRows, promptWidth));
        out.put("base_model.model.classifier.weight", random(random, 2, 16));
        out.put("base_model.model.classifier.bias", random(random, 2));
        return out;
    }

    private static HostTensor random(SplittableRandom random, long... shape) {
        float[] values = new float[Math.toIntExact(HostTensor.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return new HostTensor(shape, values);
    }

    private static void write(Path dir, String config, Map<String, HostTensor> tensors) throws IOException {
        Files.writeString(dir.resolve("adapter_config.json"), config);
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
    }

    /** Logits of a fresh adapter whose prompt table and head are set by hand. */
    private static float[] byHand(NDManager manager, PeftConfig config, Map<String, HostTensor> tensors) {
        try (PeftModel peft = PromptLearningTesting.adapt(manager, TaskType.SEQ_CLS, config)) {
            var parameters = Parameters.byName(peft.baseModel().root());
            parameters.get("bert.prompt_encoder.default.embedding.weight").getArray().set(tensors.get("prompt_embeddings").values());
            parameters.get("classifier.modules_to_save.default.weight").getArray()
                    .set(tensors.get("base_model.model.classifier.weight").values());
            parameters.get("classifier.modules_to_save.default.bias").getArray()
                    .set(tensors.get("base_model.model.classifier.bias").values());
            return logits(manager, peft);
        }
    }

    private static float[] logits(NDManager manager, PeftModel peft) {
        try (NDManager scope = manager.newSubManager(); var ignored = Autograd.noGrad()) {
            return peft.forward(PromptLearningTesting.batch(scope), false).head().toFloatArray();
        }
    }

    @Test
    void anHfPromptTuningCheckpointLoadsItsTableAndHead(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = tensors(4, 16, 1);
        write(dir, "{\n  \"peft_type\": \"PROMPT_TUNING\",\n  \"prompt_tuning_init\": \"RANDOM\",\n"
                + "  \"prompt_tuning_init_text\": null,\n  \"tokenizer_kwargs\": null,\n  \"tokenizer_name_or_path\": null,\n"
                + HF_COMMON.formatted(4) + "}\n", tensors);
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel loaded = PromptLearningTesting.RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir)) {
            assertThat(logits(manager, loaded)).containsExactly(byHand(manager, PromptTuningConfig.defaults().withNumVirtualTokens(4), tensors));
            assertThat(loaded.adapterWeights()).isEqualTo(tensors);
        }
    }

    @Test
    void anHfPrefixCheckpointWithProjectionLoadsAsTheProjectedPrefix(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = tensors(3, 2 * 2 * 16, 2);
        write(dir, "{\n  \"peft_type\": \"PREFIX_TUNING\",\n  \"prefix_projection\": true,\n  \"encoder_hidden_size\": 8,\n"
                + HF_COMMON.formatted(3) + "}\n", tensors);
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel loaded = PromptLearningTesting.RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir)) {
            assertThat(logits(manager, loaded))
                    .containsExactly(byHand(manager, PrefixTuningConfig.defaults().withNumVirtualTokens(3), tensors));
            assertThat(loaded.adapterWeights()).isEqualTo(tensors);
            long base;
            try (var fresh = TinyBert.create(manager, TaskType.SEQ_CLS)) {
                base = Parameters.count(fresh.root(), false);
            }
            assertThat(loaded.totalParameterCount() - base)
                    .as("no projection network after loading: the prefix table and the head copy")
                    .isEqualTo(3 * 64 + 34);
        }
    }
}
