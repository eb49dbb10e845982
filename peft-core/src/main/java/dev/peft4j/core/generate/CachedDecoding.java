package dev.peft4j.core.generate;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.peft4j.core.model.KeyValueCache;

/** With the key/value cache: the prompts once, then one token per row and call. */
final class CachedDecoding implements Decoding {

    private final DecoderCalls decoder;
    private final NDManager manager;
    private final KeyValueCache cache;
    private NDList pending;

    CachedDecoding(DecoderCalls decoder, NDManager manager, PromptBatch batch) {
        this.decoder = decoder;
        this.manager = manager;
        this.cache = decoder.newCache(manager);
        this.pending = batch.toInputs(manager);
    }

    @Override
    public float[][] nextScores() {
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            pending.attach(step);
            float[][] scores = Decoding.lastPositionScores(decoder.forward(pending, cache).head());
            retain(cache);
            return scores;
        }
    }

    @Override
    public void append(long[] tokens) {
        long[][] ids = new long[tokens.length][1];
        long[][] mask = new long[tokens.length][1];
        for (int row = 0; row < tokens.length; row++) {
            ids[row][0] = tokens[row];
            mask[row][0] = 1;
        }
        pending = new NDList(manager.create(ids), manager.create(mask));
    }

    /** Keeps the cache's arrays out of the closing scope: they live in the cache's manager. */
    private static void retain(KeyValueCache cache) {
        for (int layer = 0; layer < cache.numLayers(); layer++) {
            NDScope.unregister(cache.keys(layer), cache.values(layer));
        }
        NDScope.unregister(cache.attentionMask());
    }

    @Override
    public void close() {
        cache.close();
    }
}
