package dev.peft4j.core.generate;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Prompts padded on the left to the longest, as decoder-only generation needs (HF warns on right
 * padding): every row's last column is its last real token, so the next token is read from the
 * same position in every row. The decoder numbers positions from the mask, so a left-padded row
 * computes as the prompt alone. Matrices are {@code (batch, seq)} int64.
 *
 * @param inputIds token ids, {@code pad_token_id} before each shorter prompt
 * @param attentionMask 0 on the padding, 1 on the prompt's tokens
 */
public record PromptBatch(long[][] inputIds, long[][] attentionMask) {

    /**
     * @param prompts non-empty list of non-empty prompts, ids in {@code [0, vocabSize)}
     * @param padTokenId the id written into the padding (masked)
     * @param vocabSize the model's vocabulary
     * @return the left-padded batch
     * @throws IllegalArgumentException {@code no prompts}, {@code prompt 1 is empty; generation
     *     needs one or more prompt tokens}, {@code prompt 0 holds token id 300 at position 2; ids
     *     must be in [0, 256)}, or the same for {@code pad_token_id}
     */
    public static PromptBatch leftPadded(List<int[]> prompts, int padTokenId, int vocabSize) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts");
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("pad_token_id " + padTokenId + " is outside [0, " + vocabSize + ")");
        }
        int length = 0;
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + p + " is empty; generation needs one or more prompt tokens");
            }
            for (int t = 0; t < prompt.length; t++) {
                if (prompt[t] < 0 || prompt[t] >= vocabSize) {
                    throw new IllegalArgumentException("prompt " + p + " holds token id " + prompt[t] + " at position " + t
                            + "; ids must be in [0, " + vocabSize + ")");
                }
            }
            length = Math.max(length, prompt.length);
        }
        long[][] ids = new long[prompts.size()][length];
        long[][] mask = new long[prompts.size()][length];
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p);
            int offset = length - prompt.length;
            for (int t = 0; t < length; t++) {
                boolean real = t >= offset;
                ids[p][t] = real ? prompt[t - offset] : padTokenId;
                mask[p][t] = real ? 1 : 0;
            }
        }
        return new PromptBatch(ids, mask);
    }

    /** @return the number of prompts */
    public int batchSize() {
        return inputIds.length;
    }

    /**
     * @param manager where the arrays are created
     * @return {@code input_ids, attention_mask}, each {@code (batch, seq)} int64
     */
    public NDList toInputs(NDManager manager) {
        return new NDList(manager.create(inputIds), manager.create(attentionMask));
    }
}
