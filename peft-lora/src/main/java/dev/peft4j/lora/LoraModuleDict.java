package dev.peft4j.lora;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.ModuleBlock;

/**
 * HF's {@code nn.ModuleDict} keyed by adapter name, as {@link LoraLayer} holds {@code lora_A},
 * {@code lora_B} and {@code lora_dropout}: one child named after the adapter, so parameter paths
 * read {@code lora_A.default.weight}. Never called itself; the layer calls the child.
 */
final class LoraModuleDict extends ModuleBlock {

    /**
     * @param adapterName the adapter's name, the child's name
     * @param module the adapter's module
     */
    LoraModuleDict(String adapterName, Block module) {
        addChild(adapterName, module);
    }

    /** @throws UnsupportedOperationException always: the owning {@link LoraLayer} calls the child */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("an adapter dictionary is not called; call the LoraLayer");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
