package dev.peft4j.core.memory;

import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;

/**
 * Bytes a base model keeps for the backward pass, per layer and outside the layers, for one
 * micro-batch. Methods add their own share through {@link dev.peft4j.core.spi.MemoryModel}.
 */
interface ActivationModel {

    /**
     * @param shape the model
     * @param workload batch, element size, retention
     * @param tokens query tokens per sequence (the padded length plus any virtual tokens)
     * @param keys key tokens per sequence (tokens plus any prefix)
     * @return bytes one layer keeps
     */
    long layerBytes(ModelShape shape, TrainingWorkload workload, long tokens, long keys);

    /**
     * @param shape the model
     * @param workload batch, element size, retention
     * @param tokens query tokens per sequence
     * @return bytes kept outside the layers (embeddings, head, loss)
     */
    long outsideLayerBytes(ModelShape shape, TrainingWorkload workload, long tokens);

    /**
     * The checkpoint full activation recomputation keeps per layer: the layer's input
     * {@code (b, s, h)} in the compute dtype (Korthikanti et al. 2022, section 4.2: {@code 2sbh} per layer in fp16).
     *
     * @param shape the model
     * @param workload batch and element size
     * @param tokens query tokens per sequence
     * @return bytes
     */
    default long layerInputBytes(ModelShape shape, TrainingWorkload workload, long tokens) {
        return ExactLong.product(workload.batchSize(), tokens, shape.hiddenSize(), workload.elementBytes());
    }

    /**
     * The model for a family: peft4j's own DJL blocks for {@code bert}, HF transformers' eager
     * PyTorch modules for the decoders (peft4j has no decoder blocks yet).
     *
     * @param shape the model
     * @return the model
     */
    static ActivationModel forShape(ModelShape shape) {
        return shape.family().equals("bert") ? new BertBlockActivations() : new DecoderActivations();
    }

    /**
     * @param shape the model
     * @return what a training step of that family keeps alive: every intermediate for peft4j's
     *     BERT blocks, autograd's saved tensors for HF's PyTorch decoders
     */
    static TrainingWorkload.Retention retentionFor(ModelShape shape) {
        return shape.family().equals("bert") ? TrainingWorkload.Retention.ALL_INTERMEDIATES : TrainingWorkload.Retention.AUTOGRAD_SAVED;
    }
}
