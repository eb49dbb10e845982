package dev.peft4j.core.spi;

import ai.djl.nn.Block;
import java.util.List;

/**
 * An {@link AdapterLayer} whose adapters can be folded into the base block's weights (HF PEFT's
 * {@code merge} / {@code unmerge} on LoRA layers), so the forward pass skips the adapter path.
 */
public interface MergeableLayer extends AdapterLayer {

    /** @return the adapters folded into the base weights, in merge order */
    List<String> mergedAdapters();

    /**
     * Folds the named adapters this layer holds into the base weights; names it does not hold are
     * skipped, already merged ones too.
     *
     * @param adapterNames the adapters to merge
     * @param safeMerge whether to compute the merged weights in a copy and check them for NaN or
     *     infinite values before the base weights change (HF PEFT's {@code safe_merge})
     * @throws IllegalStateException with {@code safeMerge}, if a merged weight is not finite, naming
     *     the adapter; the base weights are then unchanged
     */
    void merge(List<String> adapterNames, boolean safeMerge);

    /**
     * Checks, without changing anything, that merging the named adapters gives finite weights (the
     * first phase of a safe merge over many layers).
     *
     * @param adapterNames the adapters to merge; names this layer does not hold, or holds merged, are skipped
     * @throws IllegalStateException naming the adapter whose merge would give NaN or infinite values
     */
    void checkMerge(List<String> adapterNames);

    /** Takes every merged adapter out of the base weights again (HF PEFT's {@code unmerge}). */
    void unmerge();

    /**
     * Ends this layer's life for {@code merge_and_unload}: the base block, with whatever is merged
     * left in its weights; state kept only for unmerging is freed.
     *
     * @return {@link #baseLayer()}
     */
    Block unloadMerged();
}
