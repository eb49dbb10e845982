package dev.peft4j.core.io.hf;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsDtype;
import dev.peft4j.core.io.safetensors.SafetensorsTensor;
import dev.peft4j.core.io.safetensors.SafetensorsTensors;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tiny decoder checkpoints written the way HF transformers writes them: {@code config.json} with the
 * keys HF adds ({@code transformers_version}, {@code torch_dtype}, ...), tensors under HF's names.
 */
final class HfDecoderFixtures {

    /** A GQA Llama (4 query heads, 2 key/value heads), as {@code LlamaConfig(...).save_pretrained} writes it. */
    static String llamaConfigJson(boolean tied) {
        return """
                {
                  "architectures": ["LlamaForCausalLM"],
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "bos_token_id": 1,
                  "eos_token_id": 2,
                  "hidden_act": "silu",
                  "hidden_size": 16,
                  "initializer_range": 0.2,
                  "intermediate_size": 24,
                  "max_position_embeddings": 64,
                  "mlp_bias": false,
                  "model_type": "llama",
                  "num_attention_heads": 4,
                  "num_hidden_layers": 2,
                  "num_key_value_heads": 2,
                  "pretraining_tp": 1,
                  "rms_norm_eps": 1e-06,
                  "rope_scaling": null,
                  "rope_theta": 10000.0,
                  "tie_word_embeddings": %s,
                  "torch_dtype": "bfloat16",
                  "transformers_version": "4.46.0",
                  "use_cache": true,
                  "vocab_size": 40
                }
                """.formatted(tied);
    }

    /** A GPT-2 as the hub's {@code gpt2/config.json} spells it, shrunk. */
    static final String GPT2_CONFIG_JSON = """
            {
              "activation_function": "gelu_new",
              "architectures": ["GPT2LMHeadModel"],
              "attn_pdrop": 0.1,
              "bos_token_id": 39,
              "embd_pdrop": 0.1,
              "eos_token_id": 39,
              "initializer_range": 0.2,
              "layer_norm_epsilon": 1e-05,
              "model_type": "gpt2",
              "n_ctx": 32,
              "n_embd": 16,
              "n_head": 4,
              "n_layer": 2,
              "n_positions": 32,
              "resid_pdrop": 0.1,
              "summary_activation": null,
              "summary_first_dropout": 0.1,
              "summary_proj_to_labels": true,
              "summary_type": "cls_index",
              "summary_use_proj": true,
              "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
              "vocab_size": 40
            }
            """;

    static final long[][] IDS = {{5, 17, 3, 29, 11, 2}, {8, 2, 33, 0, 0, 0}};
    static final long[][] MASK = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}};

    private HfDecoderFixtures() {}

    /** Writes {@code config.json} into a new directory. */
    static Path directory(Path dir, String configJson) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson);
        return dir;
    }

    /** A fresh random model of the directory's config. */
    static TransformerModel newModel(Path dir, NDManager manager) throws IOException {
        return HfDecoderConfig.read(dir).newModel(manager);
    }

    /** The tensors as {@code dtype} safetensors tensors, names kept. */
    static Map<String, SafetensorsTensor> typed(Map<String, HostTensor> tensors, SafetensorsDtype dtype) {
        Map<String, SafetensorsTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> out.put(name, SafetensorsTensors.of(tensor, dtype)));
        return out;
    }

    static void writeF32(Path file, Map<String, HostTensor> tensors) throws IOException {
        SafetensorsWriter.writeTensors(file, typed(tensors, SafetensorsDtype.F32), Map.of("format", "pt"));
    }

    /** Lower-triangular ones {@code (1, 1, n, n)}, GPT-2's legacy {@code attn.bias} buffer. */
    static HostTensor causalMaskBuffer(int n) {
        float[] values = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                values[i * n + j] = 1f;
            }
        }
        return new HostTensor(new long[] {1, 1, n, n}, values);
    }

    /** The logits of the fixed two-row batch (the second row right-padded), flattened. */
    static float[] logits(TransformerModel model, NDManager manager) {
        try (NDManager local = manager.newSubManager()) {
            NDList inputs = new NDList(local.create(IDS), local.create(MASK));
            return model.forward(inputs, false).singletonOrThrow().toFloatArray();
        }
    }

    /** Keeps the upper 16 bits of every value: exactly representable in BF16. */
    static Map<String, HostTensor> bf16Exact(Map<String, HostTensor> tensors) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> {
            float[] values = tensor.values().clone();
            for (int i = 0; i < values.length; i++) {
                values[i] = Float.intBitsToFloat(Float.floatToRawIntBits(values[i]) & 0xFFFF0000);
            }
            out.put(name, new HostTensor(tensor.shape(), values));
        });
        return out;
    }
}
