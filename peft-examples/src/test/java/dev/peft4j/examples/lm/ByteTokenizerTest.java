package dev.peft4j.examples.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

    @Test
    void textsRoundTripThroughTheirUtf8Bytes() {
        for (String text : new String[] {"", "Call me Ishmael.", "Der bestirnte Himmel über mir", "whale \uD83D\uDC0B\n\ttab"}) {
            assertThat(ByteTokenizer.decode(ByteTokenizer.encode(text))).isEqualTo(text);
            assertThat(ByteTokenizer.decode(ByteTokenizer.encodeDocument(text))).isEqualTo(text);
        }
    }

    @Test
    void idsAreTheUtf8BytesAndDocumentsAreFramedByBosAndEos() {
        assertThat(ByteTokenizer.encode("Aü")).containsExactly(65, 0xC3, 0xBC);
        assertThat(ByteTokenizer.encodeDocument("A")).containsExactly(256, 65, 257);
        assertThat(ByteTokenizer.VOCAB_SIZE).isEqualTo(259);
        assertThat(new int[] {ByteTokenizer.BOS, ByteTokenizer.EOS, ByteTokenizer.PAD}).containsExactly(256, 257, 258);
    }

    @Test
    void specialIdsAreSkippedAndACutCharacterBecomesTheReplacementCharacter() {
        assertThat(ByteTokenizer.decode(new int[] {256, 104, 258, 105, 257})).isEqualTo("hi");
        assertThat(ByteTokenizer.decode(new int[] {104, 0xC3})).isEqualTo("h\uFFFD");
    }

    @Test
    void idsOutsideTheVocabularyAreRefusedByValue() {
        assertThatThrownBy(() -> ByteTokenizer.decode(new int[] {65, 300}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 300 is outside [0, 259)");
        assertThatThrownBy(() -> ByteTokenizer.decode(new int[] {-1}))
                .hasMessage("token id -1 is outside [0, 259)");
    }
}
