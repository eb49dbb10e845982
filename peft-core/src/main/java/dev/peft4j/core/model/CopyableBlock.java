package dev.peft4j.core.model;

import ai.djl.nn.Block;

/**
 * A block that can make an independent copy of itself with copied parameter values, as HF PEFT
 * does for {@code modules_to_save} (the copy is trained, the original stays for the disabled
 * adapter).
 */
public interface CopyableBlock extends Block {

    /**
     * Copies this block and its parameter values; the copy's parameters are trainable.
     *
     * @return a new, initialized block computing the same function
     */
    Block copy();
}
