package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A tokenized batch padded to its longest sentence: {@code (batch, seq)} matrices of int64.
 *
 * @param inputIds token ids, {@code [PAD]} after each sentence's end
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param tokenTypeIds segment ids (0 for single sentences)
 */
public record TokenBatch(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {

    /** @return the number of sentences */
    public int batchSize() {
        return inputIds.length;
    }

    /** @return the padded length in tokens */
    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** @return the number of real (non-padding) tokens */
    public long realTokens() {
        long count = 0;
        for (long[] row : attentionMask) {
            for (long bit : row) {
                count += bit;
            }
        }
        return count;
    }

    /**
     * @param manager where the arrays are created
     * @return {@code input_ids, attention_mask, token_type_ids} as int64 NDArrays
     */
    public NDList toNDList(NDManager manager) {
        return new NDList(manager.create(inputIds), manager.create(attentionMask), manager.create(tokenTypeIds));
    }
}
