package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Named blocks, PyTorch's {@code nn.ModuleDict} (HF PEFT's {@code prompt_encoder}, keyed by adapter
 * name). A container only: its owner calls the entries, so its own forward throws.
 */
public final class ModuleDict extends ModuleBlock {

    /**
     * A dictionary with one entry, as HF PEFT holds one adapter's module ({@code lora_A.default},
     * {@code modules_to_save.default}).
     *
     * @param name the key, usually the adapter's name
     * @param block the block
     * @return the dictionary
     */
    public static ModuleDict of(String name, Block block) {
        ModuleDict dict = new ModuleDict();
        dict.put(name, block);
        return dict;
    }

    /**
     * Adds an entry.
     *
     * @param name the key, a module name without {@code "."}
     * @param block the block
     * @param <B> the block's type
     * @return {@code block}
     * @throws IllegalArgumentException if the name is taken or contains {@code "."}
     */
    public <B extends Block> B put(String name, B block) {
        return addChild(name, block);
    }

    /**
     * Removes an entry (an adapter's module when the adapter is deleted).
     *
     * @param name the key
     * @return the removed block
     * @throws IllegalArgumentException if there is no such entry, listing the entries
     */
    public Block remove(String name) {
        return removeChild(name);
    }

    /** @return whether the dictionary has an entry {@code name} */
    public boolean contains(String name) {
        return childNames().contains(name);
    }

    /**
     * @throws UnsupportedOperationException always: call the entries
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("a ModuleDict is a container; call its entries " + childNames());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("a ModuleDict is a container; ask its entries " + childNames());
    }
}
