package dev.peft4j.core.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceEncoder;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import dev.peft4j.core.testing.GradientChecks;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A model written as an HF directory reads back with bit-identical weights and computes identical outputs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransformerModelDirectoryTest {

    private NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void stop() {
        manager.close();
    }

    @Test
    void sequenceClassifierRoundTripsWithHfNamesAndIdenticalLogits() throws IOException {
        Path out = dir.resolve("tiny-cls");
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            TransformerModelDirectory.save(model, out, null);

            assertThat(SafetensorsReader.readHeader(out.resolve("model.safetensors")).entries())
                    .extracting(entry -> entry.name())
                    .contains("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.LayerNorm.bias",
                            "classifier.weight", "classifier.bias")
                    .allMatch(name -> name.startsWith("bert.") || name.startsWith("classifier."));
            JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
            assertThat(config.get("model_type").asText()).isEqualTo("bert");
            assertThat(config.get("architectures").toString()).isEqualTo("[\"BertForSequenceClassification\"]");
            assertThat(config.get("id2label").toString()).isEqualTo("{\"0\":\"LABEL_0\",\"1\":\"LABEL_1\"}");
            assertThat(config.get("label2id").toString()).isEqualTo("{\"LABEL_0\":0,\"LABEL_1\":1}");
            assertThat(config.get("hidden_size").asInt()).isEqualTo(16);
            assertThat(config.get("peft4j").get("pooling").asText()).isEqualTo("mean");

            HfBertModel read = HfBertDirectory.load(out);
            Map<String, HostTensor> original = Parameters.stateDict(model.root());
            assertThat(read.weights()).hasSameSizeAs(original);
            original.forEach((name, tensor) -> assertThat(read.weights().get(name.replaceFirst("^bert\\.", "")))
                    .as(name).isEqualTo(tensor));
            BertConfig tiny = TinyBert.config();
            assertThat(read.config()).isEqualTo(new BertConfig("bert", tiny.vocabSize(), tiny.hiddenSize(), tiny.numHiddenLayers(),
                    tiny.numAttentionHeads(), tiny.intermediateSize(), "gelu", tiny.hiddenDropoutProb(),
                    tiny.attentionProbsDropoutProb(), tiny.maxPositionEmbeddings(), tiny.typeVocabSize(), tiny.layerNormEps(),
                    tiny.padTokenId(), List.of("BertForSequenceClassification")));

            try (TransformerModel loaded = TransformerModelDirectory.load(out, manager); NDManager scope = manager.newSubManager()) {
                assertThat(loaded.taskType()).isEqualTo(TaskType.SEQ_CLS);
                float[] expected = model.forward(GradientChecks.paddedPair(scope), false).head().toFloatArray();
                float[] actual = loaded.forward(GradientChecks.paddedPair(scope), false).head().toFloatArray();
                assertThat(actual).containsExactly(expected);
            }
        }
    }

    @Test
    void bareEncoderUsesBertModelNames() throws IOException {
        Path out = dir.resolve("tiny");
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION)) {
            TransformerModelDirectory.save(model, out, null);
            assertThat(SafetensorsReader.readHeader(out.resolve("model.safetensors")).entries())
                    .extracting(entry -> entry.name())
                    .contains("embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight")
                    .noneMatch(name -> name.startsWith("bert.") || name.startsWith("classifier"));
            assertThat(new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("architectures").toString())
                    .isEqualTo("[\"BertModel\"]");
            try (TransformerModel loaded = TransformerModelDirectory.load(out, manager); NDManager scope = manager.newSubManager()) {
                assertThat(loaded.taskType()).isEqualTo(TaskType.FEATURE_EXTRACTION);
                assertThat(loaded.forward(GradientChecks.paddedPair(scope), false).head().toFloatArray())
                        .containsExactly(model.forward(GradientChecks.paddedPair(scope), false).head().toFloatArray());
            }
        }
    }

    @Test
    void miniLmRoundTripsBitIdenticallyAndEmbedsIdentically() throws IOException {
        BundledModel bundled = BundledModel.ALL_MINILM_L6_V2;
        Path tokenizerJson = dir.resolve("source-tokenizer.json");
        try (InputStream in = bundled.open("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, tokenizerJson);
        }
        Path out = dir.resolve("all-minilm-l6-v2");
        List<String> sentences = List.of("A man is playing a guitar.", "The weather is lovely today.", "Stocks fell sharply.");
        try (TransformerModel model = TransformerModel.pretrainedBert(bundled.importWeights(), TaskType.FEATURE_EXTRACTION, 0, manager);
                SentenceTokenizer tokenizer = bundled.tokenizer(128)) {
            TransformerModelDirectory.save(model, out, tokenizerJson);
            assertThat(Files.mismatch(out.resolve("tokenizer.json"), tokenizerJson)).isEqualTo(-1);
            try (TransformerModel loaded = TransformerModelDirectory.load(out, manager);
                    SentenceTokenizer readTokenizer = SentenceTokenizer.load(out.resolve("tokenizer.json"), 128)) {
                assertThat(Parameters.stateDict(loaded.root())).containsExactlyEntriesOf(Parameters.stateDict(model.root()));
                float[][] expected = new SentenceEncoder(model, tokenizer).embed(sentences);
                assertThat(new SentenceEncoder(loaded, readTokenizer).embed(sentences)).isDeepEqualTo(expected);
            }
        }
    }

    @Test
    void refusesAModelWithAdapterBlocksBeforeWriting() {
        Path out = dir.resolve("wrapped");
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            model.replaceModule("classifier", new ModulesToSaveWrapper(model.module("classifier"), "default", model.adapterSwitch()));
            assertThatThrownBy(() -> TransformerModelDirectory.save(model, out, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot save the model as an HF model directory: module 'classifier' is a ModulesToSaveWrapper"
                            + " where a plain BERT has a Linear; merge and unload the adapters first (mergeAndUnload)");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void replacesAnEarlierDirectoryWholeAndChecksTheTokenizerFirst() throws IOException {
        Path out = dir.resolve("model");
        Files.createDirectories(out);
        Files.writeString(out.resolve("stale.bin"), "old");
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION)) {
            assertThatThrownBy(() -> TransformerModelDirectory.save(model, out, dir.resolve("missing.json")))
                    .isInstanceOf(FileNotFoundException.class)
                    .hasMessage("tokenizer file not found: " + dir.resolve("missing.json"));
            assertThat(out.resolve("stale.bin")).exists();

            TransformerModelDirectory.save(model, out, null);
        }
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.json", "model.safetensors");
        }
    }
}
