package dev.peft4j.core.memory;

import static dev.peft4j.core.memory.ExactLong.product;
import static dev.peft4j.core.memory.ExactLong.sum;

import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;

/**
 * The tensors HF transformers' eager PyTorch decoders (GPT-2, Llama, Mistral, Qwen2) save for the
 * backward pass: Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer
 * Models", section 4.1, per layer {@code sbh(34 + 5as/h)} bytes in fp16 with {@code i = 4h})
 * generalised to any element size {@code e}, grouped-query attention, a gated MLP and no dropout.
 * With {@code b} sequences of {@code s} tokens attending to {@code k} keys, {@code h} hidden,
 * {@code q = heads * head_dim}, {@code kv} the key/value width, {@code i} intermediate, {@code a} heads:
 *
 * <ul>
 *   <li>attention: the norm's input and the projections' shared input {@code 2e bsh}; the query
 *       {@code e bsq} and key {@code e bk kv} for {@code QK^T}; the value {@code e bk kv}; the
 *       softmax output {@code e bask}; with attention dropout its 1-byte mask and product
 *       {@code (1 + e) bask}; the output projection's input {@code e bsq};</li>
 *   <li>MLP: the norm's input and the projections' shared input {@code 2e bsh}; GPT-2: the GELU
 *       input and the second projection's input {@code 2e bsi}; gated (Llama family): the gate output
 *       (SiLU's input), SiLU's output, the up projection's output (both saved by the product), and the
 *       down projection's input {@code 4e bsi};</li>
 *   <li>with hidden dropout (GPT-2) two 1-byte masks {@code 2bsh}.</li>
 * </ul>
 * GPT-2 at {@code e = 2}: {@code 34 bsh + 5 bas^2}, Korthikanti's figure. Every linear input is
 * counted even when its weight is frozen (PyTorch may skip saving it): an upper bound for PEFT.
 * Outside the layers: the final norm's and {@code lm_head}'s inputs {@code 2e bsh}, the logits
 * {@code e bsV} and the fp32 log-probabilities cross-entropy keeps {@code 4 bsV} (HF upcasts the
 * logits for the loss).
 */
final class DecoderActivations implements ActivationModel {

    @Override
    public long layerBytes(ModelShape shape, TrainingWorkload workload, long tokens, long keys) {
        long e = workload.elementBytes();
        long b = workload.batchSize();
        long bsh = product(b, tokens, shape.hiddenSize());
        long bsq = product(b, tokens, shape.numAttentionHeads(), shape.headDim());
        long bkv = product(b, keys, shape.keyValueDim());
        long scores = product(b, shape.numAttentionHeads(), tokens, keys);
        long bsi = product(b, tokens, shape.intermediateSize());
        boolean gated = !shape.family().equals("gpt2");
        long attention = sum(product(2, e, bsh), product(e, bsq), product(2, e, bkv), product(e, scores), product(e, bsq),
                shape.attentionDropout() > 0 ? product(workload.maskBytes() + e, scores) : 0);
        long mlp = sum(product(2, e, bsh), product(gated ? 4 : 2, e, bsi));
        long masks = shape.hiddenDropout() > 0 ? product(2, workload.maskBytes(), bsh) : 0;
        return sum(attention, mlp, masks);
    }

    @Override
    public long outsideLayerBytes(ModelShape shape, TrainingWorkload workload, long tokens) {
        long e = workload.elementBytes();
        long bs = product(workload.batchSize(), tokens);
        return sum(product(2, e, bs, shape.hiddenSize()), product(e + 4, bs, shape.vocabSize()));
    }
}
