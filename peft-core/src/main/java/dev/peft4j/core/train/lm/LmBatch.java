package dev.peft4j.core.train.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * A batch of token blocks for causal-LM training or evaluation, padded on the right to the
 * longest block, as HF's {@code DataCollatorForLanguageModeling(mlm=False)} builds it:
 * {@code labels} are the input ids with {@link CausalLmLoss#IGNORE_INDEX} ({@code -100}) on the
 * padding, so pads are neither attended to nor predicted (the model shifts nothing: the loss
 * does). All matrices are {@code (batch, seq)} int64.
 *
 * @param inputIds token ids, {@code pad_token_id} after each block's end
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param labels the ids, {@code -100} on padding
 */
public record LmBatch(long[][] inputIds, long[][] attentionMask, long[][] labels) {

    /**
     * @param blocks token blocks, non-empty list of non-empty blocks
     * @param padTokenId the id written into padding (never attended or predicted), &gt;= 0
     * @return the right-padded batch
     * @throws IllegalArgumentException if there are no blocks, a block is empty, or an id is negative
     *     ({@code token id -3 at position 4 of block 1 is negative})
     */
    public static LmBatch rightPadded(List<int[]> blocks, int padTokenId) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("a batch needs one or more token blocks");
        }
        if (padTokenId < 0) {
            throw new IllegalArgumentException("pad_token_id must be >= 0, got " + padTokenId);
        }
        int length = 0;
        for (int b = 0; b < blocks.size(); b++) {
            int[] block = blocks.get(b);
            if (block.length == 0) {
                throw new IllegalArgumentException("token block " + b + " of the batch is empty");
            }
            length = Math.max(length, block.length);
        }
        long[][] ids = new long[blocks.size()][length];
        long[][] mask = new long[blocks.size()][length];
        long[][] labels = new long[blocks.size()][length];
        for (int b = 0; b < blocks.size(); b++) {
            int[] block = blocks.get(b);
            for (int t = 0; t < length; t++) {
                if (t < block.length) {
                    if (block[t] < 0) {
                        throw new IllegalArgumentException("token id " + block[t] + " at position " + t + " of block " + b + " is negative");
                    }
                    ids[b][t] = block[t];
                    mask[b][t] = 1;
                    labels[b][t] = block[t];
                } else {
                    ids[b][t] = padTokenId;
                    labels[b][t] = CausalLmLoss.IGNORE_INDEX;
                }
            }
        }
        return new LmBatch(ids, mask, labels);
    }

    /** @return the number of blocks */
    public int batchSize() {
        return inputIds.length;
    }

    /** @return real (non-padding) tokens */
    public long realTokens() {
        long count = 0;
        for (long[] row : attentionMask) {
            for (long bit : row) {
                count += bit;
            }
        }
        return count;
    }

    /** @return tokens the loss predicts: labels after each row's first that are not {@code -100} */
    public long countedTokens() {
        return CausalLmLoss.countedTokens(labels);
    }

    /**
     * @param manager where the arrays are created
     * @return the model's inputs {@code input_ids, attention_mask}, each {@code (batch, seq)} int64
     */
    public NDList toInputs(NDManager manager) {
        return new NDList(manager.create(inputIds), manager.create(attentionMask));
    }

    /**
     * @param manager where the array is created
     * @return {@code labels} {@code (batch, seq)} int64
     */
    public NDArray toLabels(NDManager manager) {
        return manager.create(labels);
    }
}
