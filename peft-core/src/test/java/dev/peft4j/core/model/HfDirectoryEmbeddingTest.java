package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.hf.HfBertDirectory;
import dev.peft4j.core.io.onnx.ImportedBert;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MiniLM exported to an HF model directory and loaded back embeds exactly as the ONNX import. */
class HfDirectoryEmbeddingTest {

    @Test
    void exportedDirectoryGivesIdenticalEmbeddings(@TempDir Path dir) throws Exception {
        BundledModel bundled = BundledModel.ALL_MINILM_L6_V2;
        ImportedBert imported = bundled.importWeights();
        Path tokenizerJson = dir.resolve("source-tokenizer.json");
        try (InputStream in = bundled.open("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, tokenizerJson);
        }
        Path modelDir = dir.resolve("all-minilm-l6-v2");
        HfBertDirectory.save(modelDir, imported.config(), imported.weights(), tokenizerJson);
        var loaded = HfBertDirectory.load(modelDir);

        List<String> sentences = OnnxRuntimeParityTest.SENTENCES;
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel fromOnnx = TransformerModel.pretrainedBert(imported, TaskType.FEATURE_EXTRACTION, 0, manager);
                TransformerModel fromDirectory = TransformerModel.pretrainedBert(
                        new ImportedBert(loaded.config(), loaded.weights(), List.of()), TaskType.FEATURE_EXTRACTION, 0, manager);
                SentenceTokenizer onnxTokenizer = bundled.tokenizer(128);
                SentenceTokenizer directoryTokenizer = SentenceTokenizer.load(loaded.tokenizerJson().orElseThrow(), 128)) {
            float[][] expected = new SentenceEncoder(fromOnnx, onnxTokenizer).embed(sentences);
            float[][] actual = new SentenceEncoder(fromDirectory, directoryTokenizer).embed(sentences);
            assertThat(actual).isDeepEqualTo(expected);
        }
    }
}
