package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The merge state of one {@link LoraLayer}: which adapters are folded into the base weight, in merge
 * order, and a detached copy of the unmerged weight {@code W} (out × in floats) kept while any is.
 *
 * <p>Each merged adapter adds its change computed against the unmerged {@code W}
 * ({@link LoraUpdate#mergedChange}), which is exactly what its forward term adds, so any set of
 * merged adapters (several plain LoRA and DoRA adapters on one layer) computes what the unmerged
 * adapters compute. HF PEFT merges DoRA adapters one after the other, each rescaling the weight that
 * already holds earlier merges, which matches its forward pass only for one DoRA adapter per layer;
 * for one adapter both give {@code W' = (m / n) * (W + scaling * B A)}. Unmerging writes the kept
 * {@code W} back, bit for bit (HF subtracts, up to rounding).
 */
final class LoraMergedWeights {

    private final LoraBaseLayer base;
    private final List<String> merged = new ArrayList<>();
    private NDArray unmerged;

    LoraMergedWeights(LoraBaseLayer base) {
        this.base = base;
    }

    /** @return the merged adapters in merge order */
    List<String> names() {
        return List.copyOf(merged);
    }

    /** @return whether the adapter is merged (no copy: called on every forward pass) */
    boolean contains(String adapterName) {
        return merged.contains(adapterName);
    }

    boolean isEmpty() {
        return merged.isEmpty();
    }

    /** @return the unmerged {@code W} while an adapter is merged, else {@code null} (the base weight is unmerged) */
    NDArray unmergedWeight() {
        return unmerged;
    }

    /**
     * Folds updates into the base weight.
     *
     * @param updates adapters not merged yet
     * @param safe whether to check the changes and the result for NaN/Inf before the weight changes
     * @throws IllegalStateException with {@code safe}, naming the adapter whose change (or whose
     *     addition) is not finite; nothing changed
     */
    void merge(List<LoraUpdate> updates, boolean safe) {
        if (updates.isEmpty()) {
            return;
        }
        NDArray weight = base.weight().getArray();
        NDArray reference = unmerged != null ? unmerged : weight;
        List<NDArray> changes = new ArrayList<>();
        try {
            changes.addAll(changes(updates, reference));
            if (safe) {
                requireFinite(weight, updates, changes);
            }
            if (unmerged == null) {
                unmerged = copy(weight);
            }
            for (int i = 0; i < updates.size(); i++) {
                weight.addi(changes.get(i));
                merged.add(updates.get(i).name());
            }
        } finally {
            changes.forEach(NDArray::close);
        }
    }

    /**
     * Checks that merging the updates gives finite weights, changing nothing (a safe merge's first phase).
     *
     * @param updates adapters not merged yet
     * @throws IllegalStateException naming the adapter whose change is not finite
     */
    void check(List<LoraUpdate> updates) {
        if (updates.isEmpty()) {
            return;
        }
        NDArray weight = base.weight().getArray();
        List<NDArray> changes = new ArrayList<>();
        try {
            changes.addAll(changes(updates, unmerged != null ? unmerged : weight));
            requireFinite(weight, updates, changes);
        } finally {
            changes.forEach(NDArray::close);
        }
    }

    /**
     * Each update's change in the weight's stored layout: computed against the {@code (out, in)} view
     * of {@code reference} and transposed back for a {@code Conv1D} (HF's
     * {@code transpose(delta, fan_in_fan_out)}).
     *
     * @return detached arrays: close them
     */
    private List<NDArray> changes(List<LoraUpdate> updates, NDArray reference) {
        List<NDArray> changes = new ArrayList<>();
        try (NDManager scope = reference.getManager().newSubManager()) {
            NDArray outIn = base.outIn(reference, scope);
            for (LoraUpdate update : updates) {
                NDArray change = base.stored(update.mergedChange(outIn));
                change.attach(reference.getManager());
                changes.add(change);
            }
        }
        return changes;
    }

    /** Frees the kept unmerged weight for good ({@code merge_and_unload}): merged adapters stay in the weight. */
    void forget() {
        if (unmerged != null) {
            unmerged.close();
            unmerged = null;
        }
        merged.clear();
    }

    private static void requireFinite(NDArray weight, List<LoraUpdate> updates, List<NDArray> changes) {
        NDArray candidate = copy(weight);
        try {
            for (int i = 0; i < updates.size(); i++) {
                candidate.addi(changes.get(i));
                if (!finite(changes.get(i)) || !finite(candidate)) {
                    throw new IllegalStateException("adapter '" + updates.get(i).name() + "' would make the merged weight contain"
                            + " NaN or infinite values; the base weights are unchanged");
                }
            }
        } finally {
            candidate.close();
        }
    }

    private static NDArray copy(NDArray weight) {
        try (NDArray detached = weight.stopGradient()) {
            return detached.duplicate();
        }
    }

    private static boolean finite(NDArray array) {
        try (NDArray nan = array.isNaN(); NDArray inf = array.isInfinite(); NDArray bad = nan.logicalOr(inf);
                NDArray any = bad.any()) {
            return !any.getBoolean();
        }
    }

    /** Writes the unmerged weight back; nothing happens when nothing is merged. */
    void unmergeAll() {
        if (unmerged == null) {
            return;
        }
        base.weight().getArray().set(unmerged.toByteBuffer());
        unmerged.close();
        unmerged = null;
        merged.clear();
    }
}
