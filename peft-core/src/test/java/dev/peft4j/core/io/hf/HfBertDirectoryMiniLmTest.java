package dev.peft4j.core.io.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.io.onnx.OnnxBertImporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real pipeline: ONNX file -> HF directory -> the same config and weights. */
class HfBertDirectoryMiniLmTest {

    @TempDir
    Path dir;

    @Test
    void importedMiniLmRoundTripsThroughAnHfDirectory() throws IOException {
        ImportedBert imported;
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            imported = OnnxBertImporter.read(in, "all-minilm-l6-v2.onnx");
        }
        Path tokenizer = dir.resolve("source-tokenizer.json");
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, tokenizer);
        }
        Path model = dir.resolve("all-minilm-l6-v2");

        HfBertDirectory.save(model, imported.config(), imported.weights(), tokenizer);
        HfBertModel loaded = HfBertDirectory.load(model);

        assertThat(loaded.config()).isEqualTo(imported.config());
        assertThat(loaded.weights()).containsExactlyInAnyOrderEntriesOf(imported.weights());
        assertThat(Files.mismatch(loaded.tokenizerJson().orElseThrow(), tokenizer)).isEqualTo(-1);
        // 22.7 M fp32 parameters plus a small header
        assertThat(Files.size(model.resolve("model.safetensors"))).isBetween(90_000_000L, 91_000_000L);
    }
}
