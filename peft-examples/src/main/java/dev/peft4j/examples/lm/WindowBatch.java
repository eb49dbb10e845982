package dev.peft4j.examples.lm;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.train.lm.CausalLmLoss;
import java.util.List;

/**
 * Token windows as one right-padded batch: {@code input_ids} (pads are {@link ByteTokenizer#PAD}),
 * {@code attention_mask} (1 real, 0 pad) and {@code labels} (the ids, {@code -100} at pads, HF's
 * convention; the loss shifts them itself).
 *
 * @param inputIds {@code (batch, seq)}
 * @param attentionMask {@code (batch, seq)}
 * @param labels {@code (batch, seq)}
 */
public record WindowBatch(long[][] inputIds, long[][] attentionMask, long[][] labels) {

    /**
     * @param windows one or more windows of two or more tokens
     * @return the batch, as long as the longest window
     */
    public static WindowBatch of(List<long[]> windows) {
        int seq = windows.stream().mapToInt(w -> w.length).max().orElseThrow();
        long[][] ids = new long[windows.size()][seq];
        long[][] mask = new long[windows.size()][seq];
        long[][] labels = new long[windows.size()][seq];
        for (int i = 0; i < windows.size(); i++) {
            long[] window = windows.get(i);
            for (int t = 0; t < seq; t++) {
                boolean real = t < window.length;
                ids[i][t] = real ? window[t] : ByteTokenizer.PAD;
                mask[i][t] = real ? 1 : 0;
                labels[i][t] = real ? window[t] : CausalLmLoss.IGNORE_INDEX;
            }
        }
        return new WindowBatch(ids, mask, labels);
    }

    /**
     * @param manager where the arrays are created
     * @return {@code input_ids}, {@code attention_mask} as int64
     */
    public NDList inputs(NDManager manager) {
        return new NDList(manager.create(inputIds), manager.create(attentionMask));
    }

    /** @return the tokens the shifted loss counts */
    public long countedTokens() {
        return CausalLmLoss.countedTokens(labels);
    }

    /** @return real (non-pad) tokens */
    public long realTokens() {
        long n = 0;
        for (long[] row : attentionMask) {
            for (long m : row) {
                n += m;
            }
        }
        return n;
    }
}
