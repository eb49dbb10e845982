package dev.peft4j.examples.lm;

import dev.peft4j.examples.data.TextDocument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Documents packed into one stream of byte-level tokens, {@code BOS doc EOS BOS doc EOS ...}
 * ({@link ByteTokenizer#encodeDocument}), cut into fixed-length blocks for causal language
 * modelling (GPT-2's and HF's {@code group_texts} packing). Training blocks hold only real tokens,
 * so no position is padded during training.
 *
 * @param tokens the packed token ids (not copied; do not modify)
 */
public record TokenStream(int[] tokens) {

    /**
     * @param documents the documents, in order
     * @return their packed stream
     */
    public static TokenStream pack(List<TextDocument> documents) {
        int total = 0;
        List<int[]> encoded = new ArrayList<>(documents.size());
        for (TextDocument document : documents) {
            int[] ids = ByteTokenizer.encodeDocument(document.text());
            encoded.add(ids);
            total = Math.addExact(total, ids.length);
        }
        int[] tokens = new int[total];
        int at = 0;
        for (int[] ids : encoded) {
            System.arraycopy(ids, 0, tokens, at, ids.length);
            at += ids.length;
        }
        return new TokenStream(tokens);
    }

    /** @return the number of tokens */
    public int length() {
        return tokens.length;
    }

    /**
     * The stream cut into consecutive non-overlapping blocks of {@code seqLen} tokens, the remainder
     * dropped (HF's {@code group_texts} in {@code run_clm.py}): the training blocks.
     *
     * @param seqLen tokens per block, &gt; 1
     * @return {@code length / seqLen} blocks
     * @throws IllegalArgumentException when the stream is shorter than one block:
     *     {@code the token stream (50 tokens) is shorter than one window of seq_len 64}
     */
    public List<int[]> blocks(int seqLen) {
        requireWindow(seqLen);
        List<int[]> blocks = new ArrayList<>(tokens.length / seqLen);
        for (int start = 0; start + seqLen <= tokens.length; start += seqLen) {
            blocks.add(Arrays.copyOfRange(tokens, start, start + seqLen));
        }
        return blocks;
    }

    /**
     * The stream cut into consecutive windows for evaluation: window {@code j} holds tokens
     * {@code [j (seqLen - 1), j (seqLen - 1) + seqLen)}, so consecutive windows overlap by one token
     * and every token after the first is predicted exactly once (each window's first token is context
     * only). The last window may be shorter. At most {@code maxWindows} windows are taken.
     *
     * @param seqLen tokens per window, &gt; 1
     * @param maxWindows the limit, &gt; 0
     * @return the windows, each of 2 to {@code seqLen} tokens
     */
    public List<int[]> evaluationWindows(int seqLen, int maxWindows) {
        if (seqLen < 2) {
            throw new IllegalArgumentException("seq_len must be > 1, got " + seqLen);
        }
        List<int[]> windows = new ArrayList<>();
        for (int start = 0; start + 1 < tokens.length && windows.size() < maxWindows; start += seqLen - 1) {
            windows.add(Arrays.copyOfRange(tokens, start, start + Math.min(seqLen, tokens.length - start)));
        }
        return windows;
    }

    private void requireWindow(int seqLen) {
        if (seqLen < 2) {
            throw new IllegalArgumentException("seq_len must be > 1, got " + seqLen);
        }
        if (tokens.length < seqLen) {
            throw new IllegalArgumentException("the token stream (" + tokens.length + " tokens) is shorter than one window of seq_len "
                    + seqLen);
        }
    }
}
