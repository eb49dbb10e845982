package dev.peft4j.prefix;

import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.MemoryModel;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;
import java.util.Collections;
import java.util.List;

/**
 * Prefix tuning's memory in closed form. With {@code P} virtual tokens, {@code L} layers and key/value
 * width {@code kv} ({@code num_key_value_heads * head_dim}: HF PEFT sizes the prefix by the key/value
 * heads of grouped-query models, {@code token_dim = head_dim * num_key_value_heads}), the trainable
 * table is {@code P * L * 2 * kv}; with {@code prefix_projection} it is an {@code Embedding(P, kv)}
 * and the MLP {@code Linear(kv, e) -> tanh -> Linear(e, L * 2 * kv)} ({@code e} =
 * {@code encoder_hidden_size}, default {@code kv}), and the saved tensor stays the projected
 * {@code (P, L * 2 * kv)} ({@code prompt_embeddings}).
 *
 * <p>Activations: every query attends to {@code s + P} keys (the accountant widens the base's
 * attention terms). Beyond that, per layer, for {@code b} sequences in elements of {@code e} bytes:
 * peft4j's DJL blocks concatenate prefix and keys, prefix and values ({@code 2 b (s + P) kv}) and
 * widen the mask ({@code b (2P + s)}); outside the layers they keep the encoder's output
 * {@code P L 2 kv} and its permuted copy (with projection also {@code P kv + 2 P e + P L 2 kv}).
 * In PyTorch the widened keys and values are the base's own saved tensors, and the prefix expanded
 * over the batch ({@code b P L 2 kv}) is kept as {@code past_key_values}.
 */
public final class PrefixTuningMemoryModel implements MemoryModel<PrefixTuningConfig> {

    @Override
    public MemoryFootprint footprint(PrefixTuningConfig config, ModelShape shape, TrainingWorkload workload) {
        int kv = shape.keyValueDim();
        new PromptLearningShape(shape.numLayers(), kv, shape.numKeyValueHeads(), 1)
                .check("prefix", config.numLayers(), config.tokenDim(), config.numAttentionHeads(), config.numTransformerSubmodules());
        long p = config.numVirtualTokens();
        long table = p * shape.numLayers() * 2L * kv;
        long encoder = config.encoderHiddenSize() == null ? kv : config.encoderHiddenSize();
        long added = config.prefixProjection()
                ? p * kv + (kv * encoder + encoder) + (encoder * shape.numLayers() * 2L * kv + shape.numLayers() * 2L * kv)
                : table;
        long e = workload.elementBytes();
        long b = workload.batchSize();
        long s = workload.seqLength();
        long projection = config.prefixProjection() ? p * kv + 2 * p * encoder + table : 0;
        long perLayer;
        long outside;
        if (workload.retention() == TrainingWorkload.Retention.ALL_INTERMEDIATES) {
            perLayer = (2 * b * (s + p) * kv + b * (2 * p + s)) * e;
            outside = (2 * table + projection) * e;
        } else {
            perLayer = 0;
            outside = (b * table + projection) * e;
        }
        return new MemoryFootprint(added, table, List.of(), Collections.nCopies(shape.numLayers(), perLayer), outside, 0,
                config.numVirtualTokens());
    }
}
