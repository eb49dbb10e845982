package dev.peft4j.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptBatchTest {

    @Test
    void promptsArePaddedOnTheLeft() {
        PromptBatch batch = PromptBatch.leftPadded(List.of(new int[] {4, 5, 6}, new int[] {7}), 1, 10);
        assertThat(batch.inputIds()).isEqualTo(new long[][] {{4, 5, 6}, {1, 1, 7}});
        assertThat(batch.attentionMask()).isEqualTo(new long[][] {{1, 1, 1}, {0, 0, 1}});
    }

    @Test
    void badPromptsAreNamed() {
        assertThatThrownBy(() -> PromptBatch.leftPadded(List.of(), 0, 10)).hasMessage("no prompts");
        assertThatThrownBy(() -> PromptBatch.leftPadded(List.of(new int[] {1}, new int[0]), 0, 10))
                .hasMessage("prompt 1 is empty; generation needs one or more prompt tokens");
        assertThatThrownBy(() -> PromptBatch.leftPadded(List.of(new int[] {1, 2, 10}), 0, 10))
                .hasMessage("prompt 0 holds token id 10 at position 2; ids must be in [0, 10)");
        assertThatThrownBy(() -> PromptBatch.leftPadded(List.of(new int[] {1}), 10, 10)).hasMessage("pad_token_id 10 is outside [0, 10)");
    }
}
