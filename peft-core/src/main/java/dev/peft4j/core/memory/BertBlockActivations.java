package dev.peft4j.core.memory;

import static dev.peft4j.core.memory.ExactLong.product;
import static dev.peft4j.core.memory.ExactLong.sum;

import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;

/**
 * The arrays peft4j's own BERT blocks ({@code dev.peft4j.core.model.Bert*}) keep alive during a
 * training step. DJL keeps every array a forward pass creates until the step's {@code NDManager}
 * closes after the backward pass, so the count is of every array the blocks create, plus the
 * contiguous copies PyTorch's batched {@code matmul} makes of transposed operands and saves for the
 * backward pass. With {@code b} sequences of {@code s} tokens attending to {@code k} keys,
 * {@code h} hidden, {@code i} intermediate, {@code a} heads, in elements of the compute dtype:
 *
 * <ul>
 *   <li>self-attention: {@code query}, {@code key}, {@code value} outputs {@code 3bsh}; matmul's copies of
 *       the split query {@code bsh}, transposed key {@code bkh} and split value {@code bkh}; scores,
 *       {@code / sqrt(d)}, {@code + mask}, softmax {@code 4bask}; dropout's fp32 multiplier and product
 *       {@code 2bask} (when the rate is not 0); context and its merged-heads copy {@code 2bsh};</li>
 *   <li>each residual output block ({@code attention.output}, {@code output}): {@code dense},
 *       dropout multiplier and product ({@code 2bsh} when the rate is not 0), {@code + residual},
 *       LayerNorm output {@code bsh}, and LayerNorm's mean and inverse deviation {@code 2bs};</li>
 *   <li>{@code intermediate}: {@code dense} output and GELU output {@code 2bsi}.</li>
 * </ul>
 * Per layer (dropout on): {@code 16bsh + 2bkh + 2bsi + 6bask + 4bs}. Outside the layers: the three
 * embedding lookups, two sums, LayerNorm and dropout ({@code 7bsh}, the position lookup once per
 * batch), the additive mask ({@code 4bs}), mean pooling's masked product {@code bsh} and the head's
 * vectors ({@code 4bh}).
 */
final class BertBlockActivations implements ActivationModel {

    @Override
    public long layerBytes(ModelShape shape, TrainingWorkload workload, long tokens, long keys) {
        long b = workload.batchSize();
        long bs = product(b, tokens);
        long bsh = product(bs, shape.hiddenSize());
        long hiddenDropout = shape.hiddenDropout() > 0 ? 2 : 0;
        long attentionDropout = shape.attentionDropout() > 0 ? 2 : 0;
        long scores = product(b, shape.numAttentionHeads(), tokens, keys);
        long elements = sum(product(3 + 1 + 2, bsh), product(2, b, keys, shape.keyValueDim()),
                product(2 * (3 + hiddenDropout), bsh), product(2, bs),
                product(2, bs, shape.intermediateSize()),
                product(4 + attentionDropout, scores),
                product(2, bs));
        return product(elements, workload.elementBytes());
    }

    @Override
    public long outsideLayerBytes(ModelShape shape, TrainingWorkload workload, long tokens) {
        long b = workload.batchSize();
        long h = shape.hiddenSize();
        long bs = product(b, tokens);
        long dropout = shape.hiddenDropout() > 0 ? 2 : 0;
        long embeddings = sum(product(bs, 2 + 2 + 1 + dropout, h), product(tokens, h), product(2, bs));
        long tokenTypeIds = product(2, bs); // int64 zeros: two fp32-sized elements each
        long mask = product(4, bs);
        long head = sum(product(bs, h), product(4, b, h));
        return product(sum(embeddings, tokenTypeIds, mask, head), workload.elementBytes());
    }
}
