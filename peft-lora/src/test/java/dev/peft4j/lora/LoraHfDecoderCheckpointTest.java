package dev.peft4j.lora;

import static dev.peft4j.core.testing.DecoderTesting.create;
import static dev.peft4j.core.testing.DecoderTesting.logits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.Conv1D;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.DecoderTesting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPT-2 LoRA adapter folder as HF PEFT 0.17 writes it ({@code get_peft_model(GPT2LMHeadModel,
 * LoraConfig(r=4, lora_alpha=16, task_type="CAUSAL_LM"))}: {@code fan_in_fan_out} set true by HF,
 * {@code c_attn} targeted, keys {@code base_model.model.transformer.h.N.attn.c_attn.lora_A.weight (r, in)}
 * and {@code lora_B.weight (out, r)}) loads onto the tiny GPT-2 and computes the base model with
 * {@code W (in, out) += (lora_alpha / r) (B A)^T}, merged by hand in Java.
 */
class LoraHfDecoderCheckpointTest {

    private static final String HF_CONFIG = """
            {
              "alpha_pattern": {},
              "auto_mapping": null,
              "base_model_name_or_path": "gpt2",
              "bias": "none",
              "corda_config": null,
              "eva_config": null,
              "exclude_modules": null,
              "fan_in_fan_out": true,
              "inference_mode": true,
              "init_lora_weights": true,
              "layer_replication": null,
              "layers_pattern": null,
              "layers_to_transform": null,
              "loftq_config": {},
              "lora_alpha": 16,
              "lora_bias": false,
              "lora_dropout": 0.05,
              "megatron_config": null,
              "megatron_core": "megatron.core",
              "modules_to_save": null,
              "peft_type": "LORA",
              "qalora_group_size": 16,
              "r": 4,
              "rank_pattern": {},
              "revision": null,
              "target_modules": [
                "c_attn"
              ],
              "target_parameters": null,
              "task_type": "CAUSAL_LM",
              "trainable_token_indices": null,
              "use_dora": false,
              "use_qalora": false,
              "use_rslora": false
            }
            """;

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
    void hfPeftsGpt2AdapterComputesTheHandMergedModel(@TempDir Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            String prefix = "base_model.model.transformer.h." + layer + ".attn.c_attn";
            tensors.put(prefix + ".lora_A.weight", random(random, 4, 16));
            tensors.put(prefix + ".lora_B.weight", random(random, 48, 4));
        }
        Files.writeString(dir.resolve("adapter_config.json"), HF_CONFIG);
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        try (NDManager scope = manager.newSubManager()) {
            float[] expected;
            try (TransformerModel merged = create("gpt2", scope)) {
                for (int layer = 0; layer < 2; layer++) {
                    String prefix = "base_model.model.transformer.h." + layer + ".attn.c_attn";
                    Conv1D cAttn = (Conv1D) merged.module("transformer.h." + layer + ".attn.c_attn");
                    float[] w = cAttn.weight().getArray().toFloatArray();
                    float[] a = tensors.get(prefix + ".lora_A.weight").values();
                    float[] b = tensors.get(prefix + ".lora_B.weight").values();
                    for (int i = 0; i < 16; i++) {
                        for (int o = 0; o < 48; o++) {
                            double delta = 0;
                            for (int k = 0; k < 4; k++) {
                                delta += b[o * 4 + k] * a[k * 16 + i];
                            }
                            w[i * 48 + o] += (float) (16.0 / 4 * delta);
                        }
                    }
                    cAttn.weight().getArray().set(w);
                }
                expected = merged.forward(DecoderTesting.batch(scope), false).head().toFloatArray();
            }
            try (PeftModel peft = LoraTesting.RUNTIME.fromPretrained(create("gpt2", scope), dir)) {
                assertThat(((LoraConfig) peft.config()).fanInFanOut()).isTrue();
                assertThat(logits(peft, scope)).containsExactly(expected, within(1e-5f));
            }
        }
    }

    private static HostTensor random(SplittableRandom random, long... shape) {
        float[] values = new float[Math.toIntExact(HostTensor.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-0.5, 0.5);
        }
        return new HostTensor(shape, values);
    }
}
