package dev.peft4j.core.io.hf;

import static dev.peft4j.core.io.hf.HfDecoderFixtures.directory;
import static dev.peft4j.core.io.hf.HfDecoderFixtures.logits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsDtype;
import dev.peft4j.core.io.safetensors.SafetensorsEntry;
import dev.peft4j.core.io.safetensors.SafetensorsHeader;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A saved decoder directory has HF's exact names and config keys, and loads back to identical logits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HfDecoderDirectorySaveTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    private static List<String> names(Path file) throws IOException {
        SafetensorsHeader header = SafetensorsReader.readHeader(file);
        List<String> names = new ArrayList<>();
        for (SafetensorsEntry entry : header.entries()) {
            assertThat(entry.dtype()).as(entry.name()).isEqualTo(SafetensorsDtype.F32);
            names.add(entry.name());
        }
        assertThat(header.metadata()).isEqualTo(Map.of("format", "pt"));
        return names.stream().sorted().toList();
    }

    private static List<String> llamaLayer(int n) {
        String p = "model.layers." + n + ".";
        return List.of(p + "input_layernorm.weight", p + "mlp.down_proj.weight", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
                p + "post_attention_layernorm.weight", p + "self_attn.k_proj.weight", p + "self_attn.o_proj.weight",
                p + "self_attn.q_proj.weight", p + "self_attn.v_proj.weight");
    }

    @Test
    void tiedLlamaSavesHfNamesWithoutLmHeadAndLoadsBackIdentically() throws IOException {
        Path source = directory(tmp.resolve("src-llama"), HfDecoderFixtures.llamaConfigJson(true));
        Path out = tmp.resolve("cache").resolve("llama");
        try (TransformerModel model = HfDecoderFixtures.newModel(source, manager)) {
            HfDecoderDirectory.save(model, out);

            List<String> expected = new ArrayList<>(List.of("model.embed_tokens.weight", "model.norm.weight"));
            expected.addAll(llamaLayer(0));
            expected.addAll(llamaLayer(1));
            assertThat(names(out.resolve("model.safetensors"))).isEqualTo(expected.stream().sorted().toList());
            JsonNode config = MAPPER.readTree(out.resolve("config.json").toFile());
            assertThat(config.get("model_type").asText()).isEqualTo("llama");
            assertThat(config.get("architectures").toString()).isEqualTo("[\"LlamaForCausalLM\"]");
            assertThat(config.get("torch_dtype").asText()).isEqualTo("float32");
            assertThat(config.get("tie_word_embeddings").asBoolean()).isTrue();
            assertThat(config.get("num_key_value_heads").asInt()).isEqualTo(2);
            assertThat(config.get("head_dim").asInt()).isEqualTo(4);
            assertThat(config.get("eos_token_id").asInt()).isEqualTo(2);
            List<String> keys = new ArrayList<>();
            config.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).isSorted();
            try (Stream<Path> files = Files.list(out)) {
                assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly("config.json", "model.safetensors");
            }

            try (TransformerModel loaded = HfDecoderDirectory.load(out, manager)) {
                assertThat(logits(loaded, manager)).containsExactly(logits(model, manager));
                assertThat(loaded.encoderWeights()).isEqualTo(model.encoderWeights());
            }
        }
    }

    @Test
    void gpt2SavesTransformerNamesWithConv1DWeightsInOutAndATokenizer() throws IOException {
        Path source = directory(tmp.resolve("src-gpt2"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        Path out = tmp.resolve("gpt2");
        try (TransformerModel model = HfDecoderFixtures.newModel(source, manager)) {
            HfDecoderDirectory.save(model, out, DecoderTokenizerTest.tinyTokenizer());

            List<String> names = names(out.resolve("model.safetensors"));
            assertThat(names).hasSize(4 + 2 * 12).allMatch(name -> name.startsWith("transformer."))
                    .contains("transformer.wte.weight", "transformer.wpe.weight", "transformer.ln_f.weight", "transformer.ln_f.bias",
                            "transformer.h.1.ln_1.weight", "transformer.h.1.attn.c_attn.weight", "transformer.h.1.attn.c_proj.bias",
                            "transformer.h.1.ln_2.bias", "transformer.h.1.mlp.c_fc.weight", "transformer.h.1.mlp.c_proj.weight");
            Map<String, HostTensor> saved = HfWeightFiles.read(out).tensors();
            assertThat(saved.get("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(16, 48);
            assertThat(saved.get("transformer.h.0.mlp.c_fc.weight").shape()).containsExactly(16, 64);
            JsonNode config = MAPPER.readTree(out.resolve("config.json").toFile());
            assertThat(config.get("architectures").toString()).isEqualTo("[\"GPT2LMHeadModel\"]");
            assertThat(config.get("n_inner").asInt()).isEqualTo(64);
            assertThat(Files.readString(out.resolve("tokenizer.json")))
                    .isEqualTo(Files.readString(DecoderTokenizerTest.tinyTokenizer()));

            try (TransformerModel loaded = HfDecoderDirectory.load(out, manager)) {
                assertThat(logits(loaded, manager)).containsExactly(logits(model, manager));
            }
        }
    }

    @Test
    void savingReplacesAnEarlierDirectoryAsAWhole() throws IOException {
        Path out = tmp.resolve("replaced");
        Files.createDirectories(out);
        Files.writeString(out.resolve("stale.txt"), "old run");
        Path source = directory(tmp.resolve("src-replace"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        try (TransformerModel model = HfDecoderFixtures.newModel(source, manager)) {
            HfDecoderDirectory.save(model, out);
        }
        assertThat(out.resolve("stale.txt")).doesNotExist();
        assertThat(out.resolve("model.safetensors")).isRegularFile();
    }

    @Test
    void aModelWithAnAdapterBlockIsRefusedBeforeWriting() throws IOException {
        Path source = directory(tmp.resolve("src-adapted"), HfDecoderFixtures.llamaConfigJson(false));
        Path out = tmp.resolve("adapted");
        try (TransformerModel model = HfDecoderFixtures.newModel(source, manager)) {
            model.replaceModule("lm_head", new ModulesToSaveWrapper(model.module("lm_head"), "default", model.adapterSwitch()));

            assertThatThrownBy(() -> HfDecoderDirectory.save(model, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot save the model as an HF model directory: module 'lm_head' is a ModulesToSaveWrapper"
                            + " where a plain llama has a Linear; merge and unload the adapters first (mergeAndUnload)");
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void anEncoderOrAMissingTokenizerIsRefusedBeforeWriting() throws IOException {
        Path out = tmp.resolve("refused");
        try (TransformerModel bert = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION)) {
            assertThatThrownBy(() -> HfDecoderDirectory.save(bert, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot save a 'bert' model as an HF decoder directory; supported: [gpt2, llama]");
        }
        Path source = directory(tmp.resolve("src-tok"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        Path missing = tmp.resolve("nope.json");
        try (TransformerModel model = HfDecoderFixtures.newModel(source, manager)) {
            assertThatThrownBy(() -> HfDecoderDirectory.save(model, out, missing))
                    .isInstanceOf(FileNotFoundException.class)
                    .hasMessage("tokenizer file not found: " + missing);
        }
        assertThat(out).doesNotExist();
    }
}
