package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.MergeableLayer;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.RowAdapters;
import dev.peft4j.core.train.Autograd;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;

/**
 * {@link PeftModel#forward(NDList, java.util.List)}: checks a mixed-adapter batch as HF PEFT's
 * {@code _check_forward_args} and {@code _enable_peft_forward_hooks} do, then runs one inference
 * forward pass with the rows' adapters set in the model's switch for the calling thread
 * ({@link dev.peft4j.core.model.AdapterToggle#routeRows}).
 */
final class MixedBatchForward {

    private MixedBatchForward() {}

    /**
     * @param model the adapted model
     * @param adapters its adapters
     * @param inputs {@code input_ids}, {@code attention_mask} (optionally {@code token_type_ids}),
     *     each {@code (batch, seq)} int64
     * @param adapterNames one adapter name or {@link RowAdapters#BASE} per row
     * @param training must be {@code false}
     * @return as {@link PeftModel#forward(NDList, boolean)}
     * @throws IllegalArgumentException for training mode, a wrong number of names, an unknown
     *     adapter (listing the adapters), a method whose layers do not route rows, or a DoRA adapter
     * @throws IllegalStateException while adapters are merged
     */
    static NDList run(TransformerModel model, AdapterSet adapters, NDList inputs, java.util.List<String> adapterNames,
            boolean training) {
        if (training) {
            throw new IllegalArgumentException("adapter_names cannot be used in training mode; mixed-adapter batches are for "
                    + "inference (HF PEFT refuses them in training mode too)");
        }
        if (adapterNames == null) {
            throw new IllegalArgumentException("adapter_names must name one adapter (or " + RowAdapters.BASE + ") per batch row, "
                    + "got null");
        }
        long batch = inputs.head().getShape().get(0);
        if (adapterNames.size() != batch) {
            throw new IllegalArgumentException("adapter_names has " + adapterNames.size() + " names, but the batch has " + batch
                    + " rows; give one adapter name (or " + RowAdapters.BASE + ") per row");
        }
        RowAdapters rows = new RowAdapters(adapterNames);
        if (adapters.all().isEmpty()) {
            throw new IllegalStateException("this model holds no adapter (all were deleted); add one with addAdapter");
        }
        AdapterSet.Adapter first = adapters.all().getFirst();
        if (!first.method().routesMixedBatches()) {
            throw new IllegalArgumentException("peft_type " + adapters.peftType(first.config()) + " cannot serve mixed-adapter "
                    + "batches (adapter_names): its layers do not route batch rows to adapters; HF PEFT supports adapter_names "
                    + "for LoRA adapters");
        }
        for (String name : new LinkedHashSet<>(adapterNames)) {
            if (name == null) {
                throw new IllegalArgumentException("adapter_names holds null; name an adapter of " + adapters.names() + " or "
                        + RowAdapters.BASE + " for each row");
            }
            if (name.equals(RowAdapters.BASE)) {
                continue;
            }
            if (!adapters.names().contains(name)) {
                throw new IllegalArgumentException("unknown adapter '" + name + "' in adapter_names; adapters: " + adapters.names()
                        + ", or " + RowAdapters.BASE + " for the base model");
            }
            PeftMethod method = adapters.get(name).method();
            Optional<String> refusal = method.mixedBatchRefusal();
            if (refusal.isPresent()) {
                throw new IllegalArgumentException("adapter '" + name + "' cannot serve rows of a mixed-adapter batch: "
                        + refusal.get());
            }
        }
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof MergeableLayer layer && !layer.mergedAdapters().isEmpty()) {
                throw new IllegalStateException("cannot run a mixed-adapter batch while adapters " + layer.mergedAdapters()
                        + " are merged into '" + entry.getKey() + "'; unmerge() first (HF PEFT refuses adapter_names with "
                        + "merged adapters too)");
            }
        }
        try (var routing = model.adapterToggle().routeRows(rows); var noGrad = Autograd.noGrad()) {
            return model.forward(inputs, false);
        }
    }
}
