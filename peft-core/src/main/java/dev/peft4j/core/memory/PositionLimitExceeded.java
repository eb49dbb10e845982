package dev.peft4j.core.memory;

/**
 * A method's virtual tokens plus the sequence need more positions than the model has: prompt
 * tuning prepends {@code n} tokens to the input, and prefix tuning numbers the real tokens from
 * {@code P} (HF's {@code past_key_values_length}, as peft4j's {@code BertEmbeddings} does), so
 * {@code max_length + n + P} must not exceed {@code max_position_embeddings} — the limit
 * {@code peft train} enforces. Message:
 * {@code max_length 500 + 20 virtual tokens need 520 positions, more than max_position_embeddings 512}.
 */
public final class PositionLimitExceeded extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * @param maxLength tokens per sequence
     * @param virtualTokens tokens the method adds (prompt tokens and prefix keys)
     * @param maxPositions the model's {@code max_position_embeddings}
     */
    PositionLimitExceeded(int maxLength, long virtualTokens, int maxPositions) {
        super("max_length " + maxLength + " + " + virtualTokens + " virtual tokens need " + (maxLength + virtualTokens)
                + " positions, more than max_position_embeddings " + maxPositions);
    }
}
