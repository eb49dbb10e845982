package dev.peft4j.core.io.hf;

import static dev.peft4j.core.io.hf.HfDecoderFixtures.directory;
import static dev.peft4j.core.io.hf.HfDecoderFixtures.logits;
import static dev.peft4j.core.io.hf.HfDecoderFixtures.writeF32;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsDtype;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny Llama and GPT-2 checkpoints written in HF's exact key layouts load and compute the same logits as the
 * in-memory model they were written from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HfDecoderDirectoryTest {

    private NDManager manager;

    @TempDir
    Path tmp;

    @BeforeAll
    void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void stop() {
        manager.close();
    }

    /** Loads {@code dir} and checks its logits equal {@code expected} and differ from a fresh random model's. */
    private void assertLoadsTo(Path dir, float[] expected) throws IOException {
        try (TransformerModel loaded = HfDecoderDirectory.load(dir, manager);
                TransformerModel fresh = HfDecoderFixtures.newModel(dir, manager)) {
            assertThat(loaded.taskType()).isEqualTo(TaskType.CAUSAL_LM);
            assertThat(logits(loaded, manager)).containsExactly(expected);
            assertThat(logits(fresh, manager)).isNotEqualTo(expected);
        }
    }

    @Test
    void tiedLlamaWhoseFileOmitsLmHeadLoads() throws IOException {
        Path dir = directory(tmp.resolve("llama-tied"), HfDecoderFixtures.llamaConfigJson(true));
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            Map<String, HostTensor> weights = model.encoderWeights();
            assertThat(weights).doesNotContainKey("lm_head.weight")
                    .containsKeys("model.embed_tokens.weight", "model.layers.1.self_attn.k_proj.weight", "model.norm.weight");
            writeF32(dir.resolve("model.safetensors"), weights);

            assertLoadsTo(dir, logits(model, manager));
        }
    }

    @Test
    void tiedLlamaWhoseFileAlsoHoldsLmHeadIgnoresIt() throws IOException {
        Path dir = directory(tmp.resolve("llama-tied-head"), HfDecoderFixtures.llamaConfigJson(true));
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            Map<String, HostTensor> weights = new LinkedHashMap<>(model.encoderWeights());
            weights.put("lm_head.weight", weights.get("model.embed_tokens.weight"));
            writeF32(dir.resolve("model.safetensors"), weights);

            assertLoadsTo(dir, logits(model, manager));
        }
    }

    @Test
    void untiedLlamaWithOldRotaryBuffersLoads() throws IOException {
        Path dir = directory(tmp.resolve("llama"), HfDecoderFixtures.llamaConfigJson(false));
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            Map<String, HostTensor> weights = new LinkedHashMap<>(model.encoderWeights());
            assertThat(weights).containsKey("lm_head.weight");
            HostTensor invFreq = new HostTensor(new long[] {2}, new float[] {1f, 0.01f});
            weights.put("model.layers.0.self_attn.rotary_emb.inv_freq", invFreq);
            weights.put("model.layers.1.self_attn.rotary_emb.inv_freq", invFreq);
            writeF32(dir.resolve("model.safetensors"), weights);

            assertLoadsTo(dir, logits(model, manager));
        }
    }

    @Test
    void twoShardLlamaLoadsThroughItsIndex() throws IOException {
        Path dir = directory(tmp.resolve("llama-sharded"), HfDecoderFixtures.llamaConfigJson(false));
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            Map<String, HostTensor> first = new LinkedHashMap<>();
            Map<String, HostTensor> second = new LinkedHashMap<>();
            StringBuilder weightMap = new StringBuilder();
            model.encoderWeights().forEach((name, tensor) -> {
                boolean early = name.startsWith("model.embed_tokens") || name.startsWith("model.layers.0.");
                (early ? first : second).put(name, tensor);
                weightMap.append(weightMap.isEmpty() ? "" : ", ").append('"').append(name).append("\": \"model-0000")
                        .append(early ? 1 : 2).append("-of-00002.safetensors\"");
            });
            writeF32(dir.resolve("model-00001-of-00002.safetensors"), first);
            writeF32(dir.resolve("model-00002-of-00002.safetensors"), second);
            Files.writeString(dir.resolve("model.safetensors.index.json"),
                    "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {" + weightMap + "}}");
            assertThat(first).isNotEmpty();
            assertThat(second).containsKeys("lm_head.weight", "model.layers.1.mlp.down_proj.weight");

            assertLoadsTo(dir, logits(model, manager));
        }
    }

    @Test
    void bf16CheckpointLoadsAsTheF32OneOfTheSameValues() throws IOException {
        Path f32 = directory(tmp.resolve("llama-f32"), HfDecoderFixtures.llamaConfigJson(false));
        Path bf16 = directory(tmp.resolve("llama-bf16"), HfDecoderFixtures.llamaConfigJson(false));
        try (TransformerModel model = HfDecoderFixtures.newModel(f32, manager)) {
            Map<String, HostTensor> exact = HfDecoderFixtures.bf16Exact(model.encoderWeights());
            model.loadEncoderWeights(exact);
            writeF32(f32.resolve("model.safetensors"), exact);
            SafetensorsWriter.writeTensors(bf16.resolve("model.safetensors"),
                    HfDecoderFixtures.typed(exact, SafetensorsDtype.BF16), Map.of("format", "pt"));
            assertThat(SafetensorsReader.readHeader(bf16.resolve("model.safetensors")).entries())
                    .allMatch(entry -> entry.dtype() == SafetensorsDtype.BF16);

            float[] expected = logits(model, manager);
            assertLoadsTo(f32, expected);
            assertLoadsTo(bf16, expected);
        }
    }

    @Test
    void gpt2LmHeadModelLayoutWithLegacyMaskBuffersLoads() throws IOException {
        Path dir = directory(tmp.resolve("gpt2"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            Map<String, HostTensor> weights = new LinkedHashMap<>(model.encoderWeights());
            assertThat(weights).containsKeys("transformer.wte.weight", "transformer.wpe.weight",
                    "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias", "transformer.ln_f.bias");
            assertThat(weights.get("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(16, 48);
            for (int layer = 0; layer < 2; layer++) {
                weights.put("transformer.h." + layer + ".attn.bias", HfDecoderFixtures.causalMaskBuffer(32));
                weights.put("transformer.h." + layer + ".attn.masked_bias", new HostTensor(new long[] {}, new float[] {-1e4f}));
            }
            weights.put("lm_head.weight", weights.get("transformer.wte.weight"));
            writeF32(dir.resolve("model.safetensors"), weights);

            assertLoadsTo(dir, logits(model, manager));
        }
    }

    @Test
    void bareGpt2ModelLayoutLoads() throws IOException {
        Path dir = directory(tmp.resolve("gpt2-bare"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            Map<String, HostTensor> bare = new LinkedHashMap<>();
            model.encoderWeights().forEach((name, tensor) -> bare.put(name.substring("transformer.".length()), tensor));
            bare.put("h.0.attn.bias", HfDecoderFixtures.causalMaskBuffer(32));
            bare.put("h.1.attn.bias", HfDecoderFixtures.causalMaskBuffer(32));
            assertThat(bare).containsKeys("wte.weight", "h.1.mlp.c_fc.weight").doesNotContainKey("lm_head.weight");
            writeF32(dir.resolve("model.safetensors"), bare);

            assertLoadsTo(dir, logits(model, manager));
        }
    }

    @Test
    void tokenizerLoadsWhenPresentAndIsOptional() throws IOException {
        Path dir = directory(tmp.resolve("with-tokenizer"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        assertThat(HfDecoderDirectory.loadTokenizer(dir)).isEmpty();

        Files.copy(DecoderTokenizerTest.tinyTokenizer(), dir.resolve("tokenizer.json"));
        Optional<DecoderTokenizer> tokenizer = HfDecoderDirectory.loadTokenizer(dir);
        try (DecoderTokenizer loaded = tokenizer.orElseThrow()) {
            assertThat(loaded.encode("the whale", false)).containsExactly(6, 7);
        }
    }

    @Test
    void configKeepsHfFieldsTheModelUses() throws IOException {
        Path dir = directory(tmp.resolve("config"), HfDecoderFixtures.llamaConfigJson(true));
        HfDecoderConfig config = HfDecoderConfig.read(dir);

        assertThat(config.modelType()).isEqualTo("llama");
        assertThat(config.tiedHead()).isTrue();
        assertThat(config.keyLayout()).isEqualTo(DecoderKeyLayout.LLAMA);
        assertThat(((dev.peft4j.core.model.LlamaConfig) config.config()).eosTokenId()).isEqualTo(List.of(2));
    }
}
