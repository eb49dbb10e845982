package dev.peft4j.examples.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.examples.data.TextDocument;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenStreamTest {

    private static TokenStream stream(int length) {
        int[] tokens = new int[length];
        Arrays.setAll(tokens, i -> i % 256);
        return new TokenStream(tokens);
    }

    @Test
    void documentsArePackedBetweenBosAndEos() {
        TokenStream stream = TokenStream.pack(List.of(new TextDocument("a", "Hi"), new TextDocument("b", "ü")));
        assertThat(stream.tokens()).containsExactly(256, 'H', 'i', 257, 256, 0xC3, 0xBC, 257);
    }

    @Test
    void trainingBlocksAreConsecutiveNonOverlappingSlicesWithTheRemainderDropped() {
        List<int[]> blocks = stream(50).blocks(16);
        assertThat(blocks).hasSize(3);
        assertThat(blocks.get(0)).startsWith(0, 1).endsWith(15);
        assertThat(blocks.get(2)).startsWith(32).endsWith(47).hasSize(16);
    }

    @Test
    void evaluationWindowsPredictEveryTokenAfterTheFirstOnce() {
        TokenStream stream = stream(20);
        List<int[]> windows = stream.evaluationWindows(8, 100);
        assertThat(windows).extracting(w -> w.length).containsExactly(8, 8, 6);
        assertThat(windows.get(1)[0]).isEqualTo(7);
        assertThat(windows.get(2)).containsExactly(14, 15, 16, 17, 18, 19);
        int predicted = windows.stream().mapToInt(w -> w.length - 1).sum();
        assertThat(predicted).isEqualTo(19);
        assertThat(stream.evaluationWindows(8, 2)).hasSize(2);
    }

    @Test
    void tooShortStreamsAndWindowsAreRefusedWithTheirSizes() {
        assertThatThrownBy(() -> stream(50).blocks(64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the token stream (50 tokens) is shorter than one window of seq_len 64");
        assertThatThrownBy(() -> stream(50).evaluationWindows(1, 5)).hasMessage("seq_len must be > 1, got 1");
    }
}
