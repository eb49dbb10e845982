package dev.peft4j.core.spi;

import java.util.List;

/**
 * What one method adds to a model's training memory, in closed form (a {@link MemoryModel}'s
 * answer). The accountant adds the base model, {@code modules_to_save}, the task head, dtypes and
 * the optimizer; it never looks at the method's name.
 *
 * @param addedParameters trainable scalars of the method's new blocks (LoRA's {@code A}, {@code B},
 *     DoRA's magnitudes, adapters, prefixes, prompt embeddings)
 * @param savedParameters scalars of those blocks written to the adapter checkpoint (prefix tuning with
 *     {@code prefix_projection} saves the projected prefix, not the MLP)
 * @param unfrozenBaseTensors base parameter names trained in place (full fine-tuning: all;
 *     LoRA {@code bias: all}: every bias); saved whole
 * @param layerActivationBytes per layer {@code 0..L-1}, bytes the method's blocks keep for the
 *     backward pass beyond the base layer's
 * @param outsideLayerActivationBytes bytes the method keeps outside the layers (a prefix table
 *     expanded over the batch, a soft prompt); kept also under recomputation
 * @param extraSequenceTokens tokens the method prepends to every sequence (prompt tuning's virtual
 *     tokens): the base activations are counted at {@code s + n}
 * @param extraKeyTokens keys and values every query also attends to (prefix tuning's {@code P}):
 *     attention scores are {@code s x (s + P)}
 */
public record MemoryFootprint(
        long addedParameters,
        long savedParameters,
        List<String> unfrozenBaseTensors,
        List<Long> layerActivationBytes,
        long outsideLayerActivationBytes,
        int extraSequenceTokens,
        int extraKeyTokens) {

    /** Copies the lists. */
    public MemoryFootprint {
        unfrozenBaseTensors = List.copyOf(unfrozenBaseTensors);
        layerActivationBytes = List.copyOf(layerActivationBytes);
    }

    /** @return the sum of {@link #layerActivationBytes()} */
    public long totalLayerActivationBytes() {
        return layerActivationBytes.stream().mapToLong(Long::longValue).sum();
    }

    /** @return the largest per-layer extra, what one recomputed layer adds */
    public long maxLayerActivationBytes() {
        return layerActivationBytes.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
