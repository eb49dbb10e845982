package dev.peft4j.core.generate;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Arrays;

/** Without a cache: every call runs the whole sequence so far. */
final class FullDecoding implements Decoding {

    private final DecoderCalls decoder;
    private final NDManager manager;
    private long[][] ids;
    private long[][] mask;

    FullDecoding(DecoderCalls decoder, NDManager manager, PromptBatch batch) {
        this.decoder = decoder;
        this.manager = manager;
        this.ids = batch.inputIds().clone();
        this.mask = batch.attentionMask().clone();
    }

    @Override
    public float[][] nextScores() {
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            return Decoding.lastPositionScores(decoder.forward(new NDList(step.create(ids), step.create(mask))).head());
        }
    }

    @Override
    public void append(long[] tokens) {
        for (int row = 0; row < ids.length; row++) {
            ids[row] = Arrays.copyOf(ids[row], ids[row].length + 1);
            ids[row][ids[row].length - 1] = tokens[row];
            mask[row] = Arrays.copyOf(mask[row], mask[row].length + 1);
            mask[row][mask[row].length - 1] = 1;
        }
    }

    @Override
    public void close() {
        // nothing held beyond the step managers
    }
}
