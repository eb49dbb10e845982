package dev.peft4j.core.generate;

import java.util.Arrays;

/**
 * The new tokens of one row (the prompt not included).
 *
 * @param tokens the generated ids, ending with the stop token when {@code finishReason} is
 *     {@link FinishReason#STOP_TOKEN}; between 1 and {@code max_new_tokens} of them
 * @param finishReason why the row ended
 */
public record GeneratedSequence(int[] tokens, FinishReason finishReason) {

    /** Copies the tokens. */
    public GeneratedSequence {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** @return the number of generated tokens */
    public int length() {
        return tokens.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GeneratedSequence that && Arrays.equals(tokens, that.tokens) && finishReason == that.finishReason;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + finishReason.hashCode();
    }

    @Override
    public String toString() {
        return Arrays.toString(tokens) + " (" + finishReason + ")";
    }
}
