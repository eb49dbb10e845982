package dev.peft4j.core.spi;

import ai.djl.nn.Block;
import java.util.List;

/**
 * A block a method injected that wraps a base block and holds the parameters of one or more
 * adapters, keyed by adapter name (HF PEFT's {@code BaseTunerLayer}: {@code lora_A.<adapter>},
 * {@code modules_to_save.<adapter>}). The runtime finds these blocks by type to delete an adapter
 * from every layer and to replace the wrappers by their base blocks ({@code merge_and_unload}).
 *
 * <p>Which adapters compute is not stored here: the layer asks its model's {@link AdapterSwitch}.
 */
public interface AdapterLayer extends Block {

    /** @return the names of the adapters this layer holds parameters for, in insertion order */
    List<String> adapterNames();

    /**
     * Removes an adapter's blocks and parameters from this layer (HF PEFT's
     * {@code BaseTunerLayer.delete_adapter}).
     *
     * @param adapterName a name of {@link #adapterNames()}
     * @throws IllegalArgumentException if this layer holds no such adapter, listing the ones it holds
     * @throws IllegalStateException if the adapter is merged into the base weights (unmerge first)
     */
    void deleteAdapter(String adapterName);

    /** @return the wrapped base block, which computes the model without this layer's adapters */
    Block baseLayer();
}
