package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.RowGroups;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.spi.RowAdapters;

/**
 * A {@link LoraLayer}'s forward pass over a mixed-adapter batch, HF PEFT's
 * {@code LoraLayer._mixed_batch_forward}: {@code h = W0 x} for every row, then, for each adapter
 * named in the batch, {@code scaling * B A x} added to that adapter's rows only (grouped by
 * {@link RowGroups}); rows of {@link RowAdapters#BASE}, and rows of an adapter that does not target
 * this layer, keep {@code W0 x}. Which adapters are active does not matter here (HF ignores
 * {@code active_adapters} too). Inference only: dropout is not applied.
 */
final class LoraMixedBatch {

    private LoraMixedBatch() {}

    /**
     * @param layer the layer
     * @param store the forward pass's parameter store
     * @param x the input {@code (batch, ..., in)}
     * @param result the base output {@code (batch, ..., out)}
     * @param rows each row's adapter
     * @param training must be {@code false}
     * @param params the forward pass's parameters
     * @return {@code (batch, ..., out)}
     * @throws IllegalStateException in training mode, while an adapter is merged into this layer, or
     *     if a row's adapter uses DoRA (HF PEFT refuses all three)
     */
    static NDArray addTerms(LoraLayer layer, ParameterStore store, NDArray x, NDArray result, RowAdapters rows, boolean training,
            PairList<String, Object> params) {
        if (training) {
            throw new IllegalStateException("mixed-adapter batches (adapter_names) are for inference; this forward pass is in "
                    + "training mode (HF PEFT refuses it too)");
        }
        if (layer.isMerged()) {
            throw new IllegalStateException("cannot route a mixed-adapter batch through a LoRA layer with merged adapters "
                    + layer.mergedAdapters() + "; unmerge() first (HF PEFT refuses it too)");
        }
        NDArray delta = RowGroups.apply(x, rows, (name, subBatch) -> {
            LoraUpdate update = layer.updateOrNull(name);
            if (update == null) {
                return null;
            }
            if (update.magnitude() != null) {
                throw new IllegalStateException("adapter '" + name + "' uses DoRA (use_dora: true); mixed-adapter batches "
                        + "support LoRA and rsLoRA adapters only (HF PEFT refuses DoRA too)");
            }
            NDList down = update.loraA().forward(store, new NDList(subBatch), false, params);
            NDArray up = update.loraB().forward(store, down, false, params).singletonOrThrow();
            return ScalarOps.mul(up, update.scaling());
        });
        return delta == null ? result : result.add(delta);
    }
}
