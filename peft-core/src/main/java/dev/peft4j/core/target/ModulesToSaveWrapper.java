package dev.peft4j.core.target;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.CopyableBlock;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ModuleDict;
import dev.peft4j.core.spi.AdapterSwitch;

/**
 * HF PEFT's {@code ModulesToSaveWrapper}: keeps the frozen {@code original_module} and trains a
 * copy under {@code modules_to_save.<adapter>}; the copy computes while adapters are enabled,
 * the original while they are disabled. Parameter paths therefore read
 * {@code classifier.modules_to_save.default.weight}, which checkpoints save as
 * {@code classifier.weight}.
 */
public final class ModulesToSaveWrapper extends ModuleBlock {

    private final AdapterSwitch adapterSwitch;
    private final String adapterName;

    /**
     * @param original the module to keep frozen; it must be {@link CopyableBlock}
     * @param adapterName the adapter that owns the trainable copy
     * @param adapterSwitch the model's switch
     * @throws IllegalArgumentException if the module cannot be copied
     */
    public ModulesToSaveWrapper(Block original, String adapterName, AdapterSwitch adapterSwitch) {
        if (!(original instanceof CopyableBlock copyable)) {
            throw new IllegalArgumentException("modules_to_save supports Linear, LayerNorm and Embedding modules, got a "
                    + original.getClass().getSimpleName());
        }
        this.adapterSwitch = adapterSwitch;
        this.adapterName = adapterName;
        original.freezeParameters(true);
        addChild("original_module", original);
        addChild("modules_to_save", ModuleDict.of(adapterName, copyable.copy()));
    }

    /** @return the frozen original */
    public Block original() {
        return child("original_module");
    }

    /** @return the trainable copy */
    public Block trainable() {
        return ((ModuleDict) child("modules_to_save")).child(adapterName);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        Block active = adapterSwitch.adaptersEnabled() ? trainable() : original();
        return active.forward(store, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return original().getOutputShapes(inputShapes);
    }
}
