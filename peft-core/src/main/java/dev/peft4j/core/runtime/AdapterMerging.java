package dev.peft4j.core.runtime;

import ai.djl.nn.Block;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.MergeableLayer;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merging a model's adapters into its base weights, HF PEFT's {@code merge_adapter},
 * {@code unmerge_adapter} and {@code merge_and_unload}, over every {@link MergeableLayer} (LoRA and
 * DoRA layers).
 *
 * <p>Semantics: a merged adapter is part of the weights, so it computes whether or not it is active
 * (as HF); active adapters that are not merged keep adding their terms in the forward pass, so
 * merging a subset of the active adapters drops none of them. Merging an adapter that is already
 * merged does nothing and logs a warning. {@code PeftModel.disableAdapter()} unmerges every merged
 * adapter when its scope opens (HF unmerges inside the disabled forward pass), and they stay unmerged.
 */
final class AdapterMerging {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterMerging.class);

    private final TransformerModel model;
    private final AdapterSet adapters;

    AdapterMerging(TransformerModel model, AdapterSet adapters) {
        this.model = model;
        this.adapters = adapters;
    }

    /**
     * Folds the named adapters into the base weights of every layer that holds them.
     *
     * @param names adapters of the model
     * @param safeMerge whether to check every merged weight for NaN/Inf before any base weight changes
     * @throws IllegalArgumentException if a name is unknown, or an adapter cannot be merged (its
     *     method has no mergeable layers: bottleneck adapters, prompt learning, full fine-tuning)
     * @throws IllegalStateException with {@code safeMerge}, naming the adapter and the module, if a
     *     merged weight would not be finite; no weight changed
     */
    void merge(List<String> names, boolean safeMerge) {
        Map<String, MergeableLayer> layers = mergeableLayers();
        List<String> pending = new ArrayList<>();
        for (String name : names) {
            AdapterSet.Adapter adapter = adapters.get(name);
            requireMergeable(adapter, layers);
            if (mergedAdapters().contains(name)) {
                LOG.warn("adapter '{}' is already merged; merging it again does nothing", name);
            } else if (!pending.contains(name)) {
                pending.add(name);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        if (safeMerge) {
            layers.forEach((path, layer) -> {
                try {
                    layer.checkMerge(pending);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("safe merge refused at module '" + path + "': " + e.getMessage(), e);
                }
            });
        }
        layers.values().forEach(layer -> layer.merge(pending, false));
    }

    private void requireMergeable(AdapterSet.Adapter adapter, Map<String, MergeableLayer> layers) {
        String name = adapter.name();
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof AdapterLayer layer && !(layer instanceof MergeableLayer)
                    && !(layer instanceof ModulesToSaveWrapper) && layer.adapterNames().contains(name)) {
                throw new IllegalArgumentException("adapter '" + name + "' (peft_type " + adapters.peftType(adapter.config())
                        + ") cannot be merged: its layer '" + entry.getKey() + "' (" + layer.getClass().getSimpleName()
                        + ") has no weights to fold it into; only LoRA and DoRA adapters merge");
            }
        }
        if (layers.values().stream().noneMatch(layer -> layer.adapterNames().contains(name))) {
            throw new IllegalArgumentException("adapter '" + name + "' (peft_type " + adapters.peftType(adapter.config())
                    + ") cannot be merged: it has no mergeable layer; only LoRA and DoRA adapters merge");
        }
    }

    /** Takes every merged adapter out of the base weights again. */
    void unmerge() {
        mergeableLayers().values().forEach(MergeableLayer::unmerge);
    }

    /** @return the adapters merged into at least one layer, in merge order */
    List<String> mergedAdapters() {
        Set<String> out = new LinkedHashSet<>();
        mergeableLayers().values().forEach(layer -> out.addAll(layer.mergedAdapters()));
        return List.copyOf(out);
    }

    /**
     * Merges the active adapters and replaces every adapter block by what it wraps: LoRA layers by
     * their base {@code Linear}, {@code modules_to_save} wrappers by the active adapter's copy (HF's
     * {@code merge_and_unload}). Afterwards the model holds no adapter.
     *
     * @param safeMerge as {@link #merge}
     * @return the model, now without adapter blocks
     * @throws IllegalArgumentException if an adapter block cannot be merged (checked before anything
     *     changes)
     * @throws IllegalStateException as {@link #merge}
     */
    TransformerModel mergeAndUnload(boolean safeMerge) {
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof AdapterLayer layer && !(layer instanceof MergeableLayer)
                    && !(layer instanceof ModulesToSaveWrapper)) {
                throw new IllegalArgumentException("cannot merge and unload: '" + entry.getKey() + "' is a "
                        + layer.getClass().getSimpleName() + ", which has no weights to fold its adapters into; only LoRA and"
                        + " DoRA adapters merge");
            }
        }
        if (!model.promptEncoders().isEmpty()) {
            throw new IllegalArgumentException("cannot merge and unload: prompt learning adapters "
                    + model.promptEncoders().keySet() + " have no weights to fold into");
        }
        merge(adapters.active(), safeMerge);
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof ModulesToSaveWrapper wrapper) {
                model.replaceModule(entry.getKey(), wrapper.adapterNames().isEmpty() ? wrapper.original() : wrapper.trainable());
            } else if (entry.getValue() instanceof MergeableLayer layer) {
                model.replaceModule(entry.getKey(), layer.unloadMerged());
            }
        }
        adapters.clear();
        return model;
    }

    private Map<String, MergeableLayer> mergeableLayers() {
        Map<String, MergeableLayer> out = new LinkedHashMap<>();
        model.modules().forEach((path, block) -> {
            if (block instanceof MergeableLayer layer) {
                out.put(path, layer);
            }
        });
        return out;
    }
}
