package dev.peft4j.core.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.BertConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfBertDirectoryTest {

    private static final BertConfig CONFIG = new BertConfig("bert", 11, 4, 1, 2, 8, "gelu", 0.1, 0.1, 6, 2, 1e-12, 0,
            List.of("BertModel"));

    @TempDir
    Path dir;

    private static Map<String, HostTensor> weights(String prefix) {
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        weights.put(prefix + "embeddings.LayerNorm.weight", new HostTensor(new long[] {4}, new float[] {1, 2, 3, 4}));
        weights.put(prefix + "encoder.layer.0.attention.self.query.weight",
                new HostTensor(new long[] {2, 2}, new float[] {0.5f, -0.5f, 0.25f, -0.25f}));
        weights.put(prefix + "pooler.dense.bias", new HostTensor(new long[] {4}, new float[] {9, 8, 7, 6}));
        return weights;
    }

    private Path tokenizer() throws IOException {
        return Files.writeString(dir.resolve("source-tokenizer.json"), "{\"version\":\"1.0\"}");
    }

    @Test
    void savesTheThreeFilesAndLoadsThemBack() throws IOException {
        Path model = dir.resolve("model");
        HfBertDirectory.save(model, CONFIG, weights(""), tokenizer());

        try (Stream<Path> files = Files.list(model)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "tokenizer.json");
        }
        HfBertModel loaded = HfBertDirectory.load(model);

        assertThat(loaded.config()).isEqualTo(CONFIG);
        assertThat(loaded.weights()).containsExactlyInAnyOrderEntriesOf(weights(""));
        assertThat(loaded.tokenizerJson()).contains(model.resolve("tokenizer.json"));
        assertThat(Files.readString(loaded.tokenizerJson().orElseThrow())).isEqualTo("{\"version\":\"1.0\"}");
        assertThat(loaded.skippedTensors()).isEmpty();
        assertThat(SafetensorsReader.readHeader(model.resolve("model.safetensors")).metadata())
                .containsExactlyEntriesOf(Map.of("format", "pt"));
    }

    @Test
    void configJsonHasHfKeysSorted() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));

        String text = Files.readString(dir.resolve("config.json"));
        JsonNode json = new ObjectMapper().readTree(text);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);

        assertThat(keys).containsExactly("architectures", "attention_probs_dropout_prob", "hidden_act",
                "hidden_dropout_prob", "hidden_size", "intermediate_size", "layer_norm_eps", "max_position_embeddings",
                "model_type", "num_attention_heads", "num_hidden_layers", "pad_token_id", "position_embedding_type",
                "torch_dtype", "type_vocab_size", "vocab_size");
        assertThat(json.get("model_type").asText()).isEqualTo("bert");
        assertThat(json.get("architectures").get(0).asText()).isEqualTo("BertModel");
        assertThat(json.get("layer_norm_eps").asDouble()).isEqualTo(1e-12);
        assertThat(json.get("num_attention_heads").asInt()).isEqualTo(2);
        assertThat(text).endsWith("}\n");
    }

    @Test
    void withoutTokenizerThereIsNone() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));

        assertThat(Files.exists(dir.resolve("tokenizer.json"))).isFalse();
        assertThat(HfBertDirectory.load(dir).tokenizerJson()).isEmpty();
    }

    @Test
    void stripsTheBertPrefixAndKeepsEverythingElse() throws IOException {
        HfBertDirectory.save(dir, CONFIG, Map.of());
        Map<String, HostTensor> task = new LinkedHashMap<>(weights("bert."));
        task.put("classifier.weight", new HostTensor(new long[] {2, 4}, new float[8]));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), task);

        HfBertModel loaded = HfBertDirectory.load(dir);

        assertThat(loaded.weights().keySet()).containsExactlyInAnyOrder("embeddings.LayerNorm.weight",
                "encoder.layer.0.attention.self.query.weight", "pooler.dense.bias", "classifier.weight");
        assertThat(loaded.weights().get("pooler.dense.bias").values()).containsExactly(9, 8, 7, 6);
    }

    @Test
    void skipsIntegerBuffers() throws IOException {
        HfBertDirectory.save(dir, CONFIG, Map.of());
        byte[] header = ("{\"embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header).putLong(0).putLong(1).putFloat(3f);
        Files.write(dir.resolve("model.safetensors"), file.array());

        HfBertModel loaded = HfBertDirectory.load(dir);

        assertThat(loaded.weights()).containsOnlyKeys("w");
        assertThat(loaded.skippedTensors()).containsExactly("embeddings.position_ids");
    }

    @Test
    void prefixedAndPlainCopiesOfOneKeyConflict() throws IOException {
        HfBertDirectory.save(dir, CONFIG, Map.of());
        Map<String, HostTensor> both = new LinkedHashMap<>(weights(""));
        both.putAll(weights("bert."));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), both);

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("model.safetensors in " + dir + " has both 'bert.embeddings.LayerNorm.weight' and"
                        + " 'embeddings.LayerNorm.weight'");
    }

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> HfBertDirectory.load(missing))
                .isExactlyInstanceOf(FileNotFoundException.class)
                .hasMessage("model directory not found: " + missing);
    }

    @Test
    void missingConfig() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));
        Files.delete(dir.resolve("config.json"));

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(FileNotFoundException.class)
                .hasMessage("HF model directory " + dir + " has no config.json");
    }

    @Test
    void missingWeights() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));
        Files.delete(dir.resolve("model.safetensors"));

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(FileNotFoundException.class)
                .hasMessage("HF model directory " + dir + " has no model.safetensors");
    }

    @Test
    void missingWeightsNextToAPickle() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));
        Files.move(dir.resolve("model.safetensors"), dir.resolve("pytorch_model.bin"));

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(FileNotFoundException.class)
                .hasMessage("HF model directory " + dir + " has no model.safetensors (found pytorch_model.bin,"
                        + " which peft4j does not read: convert it to safetensors)");
    }

    @Test
    void malformedConfig() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 4,");

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("invalid config.json in " + dir + ": Unexpected end-of-input");
    }

    @Test
    void invalidConfigValue() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));
        String text = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), text.replace("\"num_attention_heads\" : 2", "\"num_attention_heads\" : 3"));

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("invalid config.json in " + dir
                        + ": bert.hidden_size (4) must be divisible by num_attention_heads (3)");
    }

    @Test
    void otherModelType() throws IOException {
        HfBertDirectory.save(dir, CONFIG, weights(""));
        String text = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), text.replace("\"bert\"", "\"roberta\""));

        assertThatThrownBy(() -> HfBertDirectory.load(dir))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("config.json in " + dir + " has model_type 'roberta'; supported: [bert]");
    }

    @Test
    void missingTokenizerFailsBeforeWriting() {
        Path model = dir.resolve("model");
        Path tokenizer = dir.resolve("no-tokenizer.json");

        assertThatThrownBy(() -> HfBertDirectory.save(model, CONFIG, weights(""), tokenizer))
                .isExactlyInstanceOf(FileNotFoundException.class)
                .hasMessage("tokenizer file not found: " + tokenizer);
        assertThat(model).doesNotExist();
    }
}
