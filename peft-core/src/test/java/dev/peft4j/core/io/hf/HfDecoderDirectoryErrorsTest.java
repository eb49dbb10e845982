package dev.peft4j.core.io.hf;

import static dev.peft4j.core.io.hf.HfDecoderFixtures.directory;
import static dev.peft4j.core.io.hf.HfDecoderFixtures.writeF32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsDtype;
import dev.peft4j.core.io.safetensors.SafetensorsTensor;
import dev.peft4j.core.io.safetensors.SafetensorsTensors;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.TransformerModel;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every way a decoder directory can be wrong fails with a message naming the file, the tensor and what was expected. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HfDecoderDirectoryErrorsTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

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

    /** A tied tiny Llama's HF state dict. */
    private Map<String, HostTensor> llamaWeights(Path dir) throws IOException {
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            return new LinkedHashMap<>(model.encoderWeights());
        }
    }

    private Path llamaDir(String name, boolean tied) throws IOException {
        return directory(tmp.resolve(name), HfDecoderFixtures.llamaConfigJson(tied));
    }

    /** Writes the weights into two shards: {@code model.embed_tokens.weight} alone in shard 1, the rest in shard 2. */
    private static void twoShards(Path dir, Map<String, HostTensor> weights) throws IOException {
        Map<String, HostTensor> second = new LinkedHashMap<>(weights);
        HostTensor embedding = second.remove("model.embed_tokens.weight");
        writeF32(dir.resolve(SHARD_1), Map.of("model.embed_tokens.weight", embedding));
        writeF32(dir.resolve(SHARD_2), second);
        StringBuilder map = new StringBuilder("\"model.embed_tokens.weight\": \"" + SHARD_1 + "\"");
        second.keySet().forEach(name -> map.append(", \"").append(name).append("\": \"").append(SHARD_2).append('"'));
        map.append(", \"model.layers.1.mlp.up_proj.bias\": \"").append(SHARD_1).append('"');
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {" + map + "}}");
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        Path dir = llamaDir("missing-shard", true);
        Map<String, HostTensor> weights = llamaWeights(dir);
        twoShards(dir, weights);
        Files.delete(dir.resolve(SHARD_2));

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("shard '" + SHARD_2 + "' named by model.safetensors.index.json in " + dir
                        + " does not exist (it should hold 'model.layers.0.input_layernorm.weight' and "
                        + (weights.size() - 2) + " more)");
    }

    @Test
    void aTensorMissingFromTheShardTheIndexNamesIsNamed() throws IOException {
        Path dir = llamaDir("missing-from-shard", true);
        twoShards(dir, llamaWeights(dir));

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("tensor 'model.layers.1.mlp.up_proj.bias' is missing from shard '" + SHARD_1 + "' in " + dir
                        + ", where model.safetensors.index.json places it");
    }

    @Test
    void aShapeMismatchNamesTensorFileAndBothShapes() throws IOException {
        Path dir = llamaDir("shape", true);
        Map<String, HostTensor> weights = llamaWeights(dir);
        weights.put("model.layers.0.self_attn.k_proj.weight", new HostTensor(new long[] {16, 16}, new float[256]));
        writeF32(dir.resolve("model.safetensors"), weights);

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("tensor 'model.layers.0.self_attn.k_proj.weight' in model.safetensors of " + dir
                        + " has shape [16, 16]; the llama model of its config.json expects [8, 16]");
    }

    @Test
    void anUnknownModelTypeListsTheKnownOnes() throws IOException {
        Path dir = directory(tmp.resolve("mistral"), HfDecoderFixtures.llamaConfigJson(true).replace("\"llama\"", "\"mistral\""));

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("config.json in " + dir + " has model_type 'mistral'; supported: [gpt2, llama]");
    }

    @Test
    void aConfigWithoutModelTypeIsRefused() throws IOException {
        Path dir = directory(tmp.resolve("no-type"), "{\"n_embd\": 16}");

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("config.json in " + dir + " has no model_type; supported: [gpt2, llama]");
    }

    @Test
    void anInvalidConfigValueIsNamed() throws IOException {
        Path dir = directory(tmp.resolve("bad-heads"),
                HfDecoderFixtures.llamaConfigJson(true).replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"));

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("invalid config.json in " + dir + ": llama.num_attention_heads (4) must be divisible by num_key_value_heads (3)");
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        Path dir = llamaDir("missing-tensor", true);
        Map<String, HostTensor> weights = llamaWeights(dir);
        weights.remove("model.norm.weight");
        writeF32(dir.resolve("model.safetensors"), weights);

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("HF model directory " + dir + " lacks 1 tensor the llama model of its config.json needs: [model.norm.weight]");
    }

    @Test
    void anUntiedLlamaWithoutLmHeadIsIncomplete() throws IOException {
        Path dir = llamaDir("untied-no-head", false);
        Map<String, HostTensor> weights = llamaWeights(dir);
        weights.remove("lm_head.weight");
        writeF32(dir.resolve("model.safetensors"), weights);

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("HF model directory " + dir + " lacks 1 tensor the llama model of its config.json needs: [lm_head.weight]");
    }

    @Test
    void anUnexpectedTensorIsNamedWithItsFile() throws IOException {
        Path dir = llamaDir("unexpected", true);
        Map<String, HostTensor> weights = llamaWeights(dir);
        weights.put("model.layers.2.mlp.up_proj.weight", new HostTensor(new long[] {24, 16}, new float[24 * 16]));
        writeF32(dir.resolve("model.safetensors"), weights);

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("HF model directory " + dir + " holds 1 tensor the llama model of its config.json does not have:"
                        + " [model.layers.2.mlp.up_proj.weight (model.safetensors)]");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path absent = tmp.resolve("absent");
        assertThatThrownBy(() -> HfDecoderDirectory.load(absent, manager))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("model directory not found: " + absent);

        Path noConfig = Files.createDirectories(tmp.resolve("no-config"));
        assertThatThrownBy(() -> HfDecoderDirectory.load(noConfig, manager))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("HF model directory " + noConfig + " has no config.json");

        Path noWeights = llamaDir("no-weights", true);
        assertThatThrownBy(() -> HfDecoderDirectory.load(noWeights, manager))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("HF model directory " + noWeights + " has neither model.safetensors nor model.safetensors.index.json");
    }
    @Test
    void anIntegerParameterIsRefusedAndAnIntegerBufferSkipped() throws IOException {
        Path dir = llamaDir("int-norm", true);
        Map<String, SafetensorsTensor> tensors = HfDecoderFixtures.typed(llamaWeights(dir), SafetensorsDtype.F32);
        tensors.put("model.position_ids", SafetensorsTensors.ofI64(new long[] {1, 3}, 0, 1, 2));
        SafetensorsWriter.writeTensors(dir.resolve("model.safetensors"), tensors);
        try (TransformerModel loaded = HfDecoderDirectory.load(dir, manager)) {
            assertThat(loaded.encoderWeights()).doesNotContainKey("model.position_ids");
        }

        tensors.put("model.norm.weight", SafetensorsTensors.ofI64(new long[] {16}, new long[16]));
        SafetensorsWriter.writeTensors(dir.resolve("model.safetensors"), tensors);
        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("tensor 'model.norm.weight' in model.safetensors of " + dir
                        + " has dtype I64; parameters are read from [BF16, F16, F32]");
    }

    @Test
    void aBareGpt2ShapeMismatchNamesTheTensorAsTheFileSpellsIt() throws IOException {
        Path dir = directory(tmp.resolve("gpt2-bare-shape"), HfDecoderFixtures.GPT2_CONFIG_JSON);
        Map<String, HostTensor> bare = new LinkedHashMap<>();
        try (TransformerModel model = HfDecoderFixtures.newModel(dir, manager)) {
            model.encoderWeights().forEach((name, tensor) -> bare.put(name.substring("transformer.".length()), tensor));
        }
        bare.put("h.0.attn.c_attn.weight", bare.get("h.0.attn.c_attn.weight").transpose2d());
        writeF32(dir.resolve("model.safetensors"), bare);

        assertThatThrownBy(() -> HfDecoderDirectory.load(dir, manager))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("tensor 'h.0.attn.c_attn.weight' in model.safetensors of " + dir
                        + " has shape [48, 16]; the gpt2 model of its config.json expects [16, 48]");
    }
}
