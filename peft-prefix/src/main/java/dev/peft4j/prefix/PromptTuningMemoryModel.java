package dev.peft4j.prefix;

import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.MemoryModel;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;
import java.util.Collections;
import java.util.List;

/**
 * Prompt tuning's memory in closed form: {@code n * d} trainable parameters (Lester et al. 2021;
 * HF PEFT's {@code Embedding(n, token_dim)} with {@code token_dim} the hidden size), all saved.
 * Every sequence grows by {@code n} tokens, so the accountant counts the base activations at
 * {@code s + n}; beyond that, for {@code b} sequences in elements of {@code e} bytes, the prompt
 * expanded over the batch {@code b n d} and (peft4j's DJL blocks) its concatenation with the word
 * embeddings {@code b (n + s) d} and the widened mask {@code b (2n + s)}.
 */
public final class PromptTuningMemoryModel implements MemoryModel<PromptTuningConfig> {

    @Override
    public MemoryFootprint footprint(PromptTuningConfig config, ModelShape shape, TrainingWorkload workload) {
        new PromptLearningShape(shape.numLayers(), shape.hiddenSize(), shape.numAttentionHeads(), 1)
                .check("prompt", config.numLayers(), config.tokenDim(), config.numAttentionHeads(), config.numTransformerSubmodules());
        long n = config.numVirtualTokens();
        long d = shape.hiddenSize();
        long added = n * d;
        long b = workload.batchSize();
        long s = workload.seqLength();
        long outside = workload.retention() == TrainingWorkload.Retention.ALL_INTERMEDIATES
                ? (b * n * d + b * (n + s) * d + b * (2 * n + s)) * workload.elementBytes()
                : b * n * d * workload.elementBytes();
        return new MemoryFootprint(added, added, List.of(), Collections.nCopies(shape.numLayers(), 0L), outside,
                config.numVirtualTokens(), 0);
    }
}
