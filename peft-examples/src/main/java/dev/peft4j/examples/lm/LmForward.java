package dev.peft4j.examples.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.peft4j.core.model.DropoutSeed;

/**
 * A decoder's training forward pass: the base {@code TransformerModel} while pre-training, the
 * {@code PeftModel} while adapting.
 */
@FunctionalInterface
public interface LmForward {

    /**
     * @param inputs {@code input_ids (batch, seq)} and {@code attention_mask (batch, seq)}, int64
     * @param seed the run's seed and this pass's index (dropout masks)
     * @return logits {@code (batch, seq, vocab)} fp32, differentiable
     */
    NDArray logits(NDList inputs, DropoutSeed seed);
}
