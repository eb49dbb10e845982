package dev.peft4j.examples.lm;

import java.util.List;

/**
 * What {@code peft compare-lm} runs: the base ({@link PretrainRecipe}, pre-trained on Moby Dick
 * and cached), then each method adapting it to the fortunes quotations for {@code steps} updates
 * of {@code batch_size} blocks of {@code seq_len} bytes (AdamW, linear warm-up and decay,
 * clipping, seeded), measured on held-out fortunes and held-out Moby Dick windows, with greedy and
 * sampled continuations of {@code prompt}.
 *
 * @param pretrain the base model's recipe
 * @param steps fine-tuning updates per method
 * @param batchSize blocks per update
 * @param seqLen bytes per block
 * @param seed shuffles, dropout, sampling
 * @param warmupRatio share of the updates warming up
 * @param weightDecay AdamW's decoupled decay
 * @param maxGradNorm global clipping norm
 * @param fortunesEvalWindows held-out fortunes windows scored (at most)
 * @param mobyDickEvalWindows held-out Moby Dick windows scored (at most)
 * @param prompt the samples' prompt
 * @param sampleTokens new tokens per sample
 * @param temperature sampling temperature
 * @param topK sampling top-k
 * @param topP sampling top-p
 * @param childHeap each child JVM's pinned heap ({@code 1g})
 * @param methodTimeoutMinutes how long a child may run
 * @param methods the methods, in order
 */
public record CompareLmRecipe(PretrainRecipe pretrain, int steps, int batchSize, int seqLen, long seed, double warmupRatio,
        double weightDecay, double maxGradNorm, int fortunesEvalWindows, int mobyDickEvalWindows, String prompt, int sampleTokens,
        double temperature, int topK, double topP, String childHeap, int methodTimeoutMinutes, List<LmMethodPlan> methods) {

    /** Copies the methods. */
    public CompareLmRecipe {
        methods = List.copyOf(methods);
    }

    /**
     * @param chosen the methods to run instead
     * @return this recipe with those methods
     */
    public CompareLmRecipe withMethods(List<LmMethodPlan> chosen) {
        return new CompareLmRecipe(pretrain, steps, batchSize, seqLen, seed, warmupRatio, weightDecay, maxGradNorm,
                fortunesEvalWindows, mobyDickEvalWindows, prompt, sampleTokens, temperature, topK, topP, childHeap,
                methodTimeoutMinutes, chosen);
    }
}
