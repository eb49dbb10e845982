package dev.peft4j.core.spi;

import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * A method's optional ability to combine several of its adapters into a new one, HF PEFT's
 * {@code add_weighted_adapter} (offered by {@link PeftMethodProvider#adapterCombiner()}; LoRA has
 * it). Works on adapters in their saved form, so it needs no access to the method's blocks: the
 * caller hands in every source's config and tensors and adds the result as a new adapter (or
 * saves it).
 */
public interface AdapterCombiner {

    /**
     * Combines the sources.
     *
     * @param sources the adapters with their weights, in the caller's order (the first one's config
     *     is the template of the result, as in HF PEFT), at least one
     * @param combination the new adapter's name, the combination type and its options
     * @param manager where the result's tensors are created
     * @return the new adapter's config and tensors
     * @throws IllegalArgumentException if a source is not of this method, uses something the
     *     combination cannot fold in, or the combination type is unknown (listing the known ones)
     */
    CombinedAdapter combine(List<WeightedAdapter> sources, AdapterCombination combination, NDManager manager);
}
