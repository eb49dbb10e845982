package dev.peft4j.examples.lm;

/**
 * How the decoder example's base model is pre-trained on Moby Dick: a Llama-style decoder
 * (RMSNorm, rotary positions, grouped-query attention, SwiGLU, tied embeddings) over the
 * {@link ByteTokenizer}'s 259 ids, trained from scratch with AdamW, linear warm-up then linear
 * decay, for a fixed number of updates on blocks of the packed training chapters
 * ({@link TokenStream#blocks}, shuffled by seed), so the result depends on the recipe and the data only,
 * never on the wall clock. Every field is part of the cache key ({@link BaseModelKey}).
 *
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size} of the SwiGLU MLP
 * @param numHiddenLayers decoder layers
 * @param numAttentionHeads query heads
 * @param numKeyValueHeads key/value heads (grouped-query attention), dividing the query heads
 * @param seqLen tokens per training window (and {@code max_position_embeddings})
 * @param batchSize windows per update
 * @param steps optimizer updates
 * @param lr peak learning rate
 * @param warmupRatio share of the updates spent warming up linearly from 0
 * @param weightDecay AdamW's decoupled weight decay
 * @param maxGradNorm global gradient-norm clipping, 0 for none
 * @param seed initialisation, window offsets
 * @param evalWindows held-out windows scored for the base's perplexity (at most)
 */
public record PretrainRecipe(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
        int numKeyValueHeads, int seqLen, int batchSize, int steps, double lr, double warmupRatio, double weightDecay,
        double maxGradNorm, long seed, int evalWindows) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field and the value: {@code pretrain.steps must be > 0, got 0}
     */
    public PretrainRecipe {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        if (seqLen < 2) {
            throw new IllegalArgumentException("pretrain.seq_len must be > 1, got " + seqLen);
        }
        positive("batch_size", batchSize);
        positive("steps", steps);
        positive("eval_windows", evalWindows);
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("pretrain.lr must be > 0, got " + lr);
        }
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new IllegalArgumentException("pretrain.warmup_ratio must be in [0, 1), got " + warmupRatio);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("pretrain.weight_decay must be >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException("pretrain.max_grad_norm must be >= 0, got " + maxGradNorm);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("pretrain.hidden_size (" + hiddenSize + ") must be divisible by num_attention_heads ("
                    + numAttentionHeads + ")");
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("pretrain.num_attention_heads (" + numAttentionHeads
                    + ") must be divisible by num_key_value_heads (" + numKeyValueHeads + ")");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("pretrain." + name + " must be > 0, got " + value);
        }
    }

    /**
     * The default base: 4 layers of width 128 (4 query heads of 32, 2 key/value heads), MLP 344,
     * blocks of 128 bytes, batch 16, 1,500 updates at 3e-3 (5% warm-up, weight decay 0.1), seed 0:
     * about 16 minutes on one thread of the 2-core machine while other builds ran (measured
     * numbers in the README's decoder section).
     *
     * @return the recipe {@code peft pretrain-lm} and {@code peft compare-lm} use
     */
    public static PretrainRecipe standard() {
        return new PretrainRecipe(128, 344, 4, 4, 2, 128, 16, 1500, 3e-3, 0.05, 0.1, 1.0, 0, 400);
    }

    /** @return the smoke base of {@code --quick}: the same shape, 150 updates, 50 evaluation windows */
    public static PretrainRecipe quick() {
        PretrainRecipe s = standard();
        return new PretrainRecipe(s.hiddenSize, s.intermediateSize, s.numHiddenLayers, s.numAttentionHeads, s.numKeyValueHeads,
                s.seqLen, s.batchSize, 150, s.lr, s.warmupRatio, s.weightDecay, s.maxGradNorm, s.seed, 50);
    }

    /** @return {@code hidden_size / num_attention_heads} */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
