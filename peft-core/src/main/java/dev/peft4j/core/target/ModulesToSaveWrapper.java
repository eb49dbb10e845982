package dev.peft4j.core.target;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.CopyableBlock;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ModuleDict;
import dev.peft4j.core.model.RowGroups;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.AdapterSwitch;
import dev.peft4j.core.spi.RowAdapters;
import java.util.List;

/**
 * HF PEFT's {@code ModulesToSaveWrapper}: keeps the frozen {@code original_module} and one trainable
 * copy per adapter under {@code modules_to_save.<adapter>}. While adapters are enabled the copy of
 * the first active adapter that has one computes (HF routes to its one active adapter), otherwise
 * the original. Parameter paths therefore read {@code classifier.modules_to_save.default.weight},
 * which checkpoints save as {@code classifier.weight}.
 *
 * <p>HF PEFT refuses two active adapters that both own a copy of the same module; the runtime
 * ({@code PeftModel.setActiveAdapters}) enforces that, so "first active" is the only one.
 *
 * <p>In a mixed-adapter batch ({@link AdapterSwitch#rowAdapters()}) each row goes to its adapter's
 * copy, rows of {@link RowAdapters#BASE} (and of an adapter without a copy here) to the original,
 * as HF's {@code ModulesToSaveWrapper._mixed_batch_forward}; copies whose outputs differ in shape
 * are refused ({@link RowGroups#apply}).
 */
public final class ModulesToSaveWrapper extends ModuleBlock implements AdapterLayer {

    private static final String COPIES = "modules_to_save";

    private final AdapterSwitch adapterSwitch;

    /**
     * @param original the module to keep frozen; it must be {@link CopyableBlock}
     * @param adapterName the adapter that owns the first trainable copy
     * @param adapterSwitch the model's switch
     * @throws IllegalArgumentException if the module cannot be copied
     */
    public ModulesToSaveWrapper(Block original, String adapterName, AdapterSwitch adapterSwitch) {
        if (!(original instanceof CopyableBlock copyable)) {
            throw new IllegalArgumentException("modules_to_save supports Linear, LayerNorm and Embedding modules, got a "
                    + original.getClass().getSimpleName());
        }
        this.adapterSwitch = adapterSwitch;
        original.freezeParameters(true);
        addChild("original_module", original);
        addChild(COPIES, ModuleDict.of(adapterName, copyable.copy()));
    }

    /**
     * Adds another adapter's copy of the original module (HF's {@code ModulesToSaveWrapper.update}),
     * trainable, with the original's values.
     *
     * @param adapterName the adapter's name
     * @throws IllegalArgumentException if the adapter already has a copy here
     */
    public void addAdapter(String adapterName) {
        copies().put(adapterName, ((CopyableBlock) original()).copy());
    }

    /**
     * Adds another adapter's own module in place of a copy, e.g. a classifier with another number of
     * labels for a task of its own.
     *
     * @param adapterName the adapter's name
     * @param module an initialized, trainable block taking the original's input
     * @throws IllegalArgumentException if the adapter already has a module here
     */
    public void addAdapter(String adapterName, Block module) {
        copies().put(adapterName, module);
    }

    /** @return the frozen original */
    public Block original() {
        return child("original_module");
    }

    /**
     * The copy that computes now: that of the first active adapter holding one, else the first copy.
     *
     * @return the trainable copy
     * @throws IllegalStateException if no adapter holds a copy (all were deleted)
     */
    public Block trainable() {
        for (String name : adapterNames()) {
            if (adapterSwitch.isActive(name)) {
                return copies().child(name);
            }
        }
        if (adapterNames().isEmpty()) {
            throw new IllegalStateException("this modules_to_save wrapper holds no adapter's copy");
        }
        return copies().child(adapterNames().getFirst());
    }

    /**
     * @param adapterName an adapter's name
     * @return that adapter's copy
     * @throws IllegalArgumentException if the adapter has no copy here, listing the adapters that do
     */
    public Block trainable(String adapterName) {
        return copies().child(adapterName);
    }

    @Override
    public List<String> adapterNames() {
        return List.copyOf(copies().childNames());
    }

    @Override
    public void deleteAdapter(String adapterName) {
        copies().remove(adapterName);
    }

    @Override
    public Block baseLayer() {
        return original();
    }

    private ModuleDict copies() {
        return (ModuleDict) child(COPIES);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        RowAdapters rows = adapterSwitch.rowAdapters();
        if (adapterSwitch.adaptersEnabled() && rows != null) {
            return new NDList(RowGroups.apply(inputs.singletonOrThrow(), rows,
                    (name, subBatch) -> copyFor(name).forward(store, new NDList(subBatch), training, params).singletonOrThrow()));
        }
        return inUse().forward(store, inputs, training, params);
    }

    /** The block the forward pass runs: the first active adapter's copy, or the original. */
    private Block inUse() {
        if (adapterSwitch.adaptersEnabled()) {
            for (String name : copies().childNames()) {
                if (adapterSwitch.isActive(name)) {
                    return copies().child(name);
                }
            }
        }
        return original();
    }

    /** The block that computes rows of {@code name} in a mixed-adapter batch: its copy, else the original. */
    private Block copyFor(String name) {
        return copies().childNames().contains(name) ? copies().child(name) : original();
    }

    /** The output shapes of the block the forward pass runs now (copies may differ, e.g. in labels). */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inUse().getOutputShapes(inputShapes);
    }
}
