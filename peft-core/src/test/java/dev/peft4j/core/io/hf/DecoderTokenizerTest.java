package dev.peft4j.core.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.io.ModelFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A decoder's tokenizer.json: special tokens from its post-processor, the file's padding and truncation ignored. */
class DecoderTokenizerTest {

    @TempDir
    Path dir;

    static Path tinyTokenizer() {
        try {
            return Path.of(DecoderTokenizerTest.class.getResource("tiny-decoder-tokenizer.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void encodesWithTheBosTokenWithoutTruncationOrPaddingAndDecodes() throws IOException {
        try (DecoderTokenizer tokenizer = DecoderTokenizer.load(tinyTokenizer())) {
            // The file truncates at 3 and pads to 8: a decoder wants neither.
            assertThat(tokenizer.encode("call me ishmael the whale")).containsExactly(1, 3, 4, 5, 6, 7);
            assertThat(tokenizer.encode("the whale", false)).containsExactly(6, 7);
            assertThat(tokenizer.encode("the kraken", false)).containsExactly(6, 0);
            assertThat(tokenizer.decode(new long[] {1, 6, 7})).isEqualTo("<s> the whale");
            assertThat(tokenizer.decode(new long[] {1, 6, 7}, true)).isEqualTo("the whale");
        }
    }

    @Test
    void aMissingOrBrokenFileIsNamed() throws IOException {
        Path missing = dir.resolve("tokenizer.json");
        assertThatThrownBy(() -> DecoderTokenizer.load(missing))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("tokenizer file not found: " + missing);

        Files.writeString(missing, "{\"model\": 3}");
        assertThatThrownBy(() -> DecoderTokenizer.load(missing))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("invalid tokenizer.json " + missing + ": ");
    }
}
