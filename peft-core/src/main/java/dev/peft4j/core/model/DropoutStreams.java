package dev.peft4j.core.model;

import ai.djl.nn.Block;
import java.util.Map;

/**
 * Gives every {@link Dropout} in a (sub)tree its stream id from its module path, so masks depend
 * on where a dropout sits, not on construction order: {@code bert.encoder.layer.0.output.dropout}
 * gets the same masks in every run, and a block injected later (LoRA's {@code lora_dropout}) gets
 * its own stream without shifting anyone else's.
 *
 * <p>{@link TransformerModel} binds its whole tree when built and each replacement in
 * {@link TransformerModel#replaceModule}; blocks attached any other way
 * ({@link ModuleBlock#replaceChild} directly) must be bound with {@link #bind(String, Block)}.
 */
public final class DropoutStreams {

    private DropoutStreams() {}

    /**
     * Binds every dropout under {@code subtree}.
     *
     * @param path the module path of {@code subtree} in its model ({@code ""} for the root)
     * @param subtree a block and its descendants
     * @return the number of dropouts bound
     */
    public static int bind(String path, Block subtree) {
        int bound = 0;
        for (Map.Entry<String, Block> entry : new ModuleTree(subtree).modules().entrySet()) {
            if (entry.getValue() instanceof Dropout dropout) {
                dropout.bindStream(join(path, entry.getKey()));
                bound++;
            }
        }
        return bound;
    }

    private static String join(String prefix, String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        return path.isEmpty() ? prefix : prefix + "." + path;
    }
}
