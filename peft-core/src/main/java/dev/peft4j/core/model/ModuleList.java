package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * An ordered list of blocks named {@code 0, 1, ...}, PyTorch's {@code nn.ModuleList}
 * ({@code encoder.layer.3}). Its forward runs the blocks in sequence, each taking the previous
 * one's outputs.
 */
public final class ModuleList extends ModuleBlock {

    /** @param blocks the blocks, named by their index */
    public ModuleList(List<? extends Block> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            addChild(Integer.toString(i), blocks.get(i));
        }
    }

    /** @return the number of blocks */
    public int size() {
        return childNames().size();
    }

    /**
     * @param index the position
     * @return the block at that position (as last replaced)
     */
    public Block get(int index) {
        return child(Integer.toString(index));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList current = inputs;
        for (int i = 0; i < size(); i++) {
            current = get(i).forward(store, current, training, params);
        }
        return current;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
