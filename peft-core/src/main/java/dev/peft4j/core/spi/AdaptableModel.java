package dev.peft4j.core.spi;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Map;

/**
 * A model whose sub-blocks are addressed by HF module paths ({@code
 * encoder.layer.3.attention.self.query}) and can be replaced: what a {@link PeftMethod} adapts.
 */
public interface AdaptableModel {

    /**
     * The architecture family, HF's {@code model_type} ({@code bert}, {@code llama}, {@code gpt2}).
     *
     * @return the lower-case family name
     */
    String architecture();

    /**
     * HF PEFT's default {@code target_modules} for this architecture (BERT: {@code query},
     * {@code value}).
     *
     * @return module names
     */
    List<String> defaultTargetModules();

    /** @return the width {@code d} of the hidden states */
    int hiddenSize();

    /** @return the number of transformer layers */
    int numLayers();

    /**
     * Every module by path, in pre-order (a parent before its children). The root has the empty
     * path.
     *
     * @return an unmodifiable snapshot
     */
    Map<String, Block> modules();

    /**
     * The module at {@code path}.
     *
     * @param path a dotted HF module path
     * @return the block
     * @throws IllegalArgumentException if no module has that path, listing the closest paths
     */
    Block module(String path);

    /**
     * Replaces the module at {@code path}, e.g. with a wrapper that holds the original. Dropout
     * blocks inside the replacement (a LoRA layer's {@code lora_dropout}) get their reproducible
     * mask stream from their new module path here, so inject blocks through this method.
     *
     * @param path a dotted HF module path, not the root
     * @param replacement the new block
     * @return the block that was replaced
     * @throws IllegalArgumentException if no module has that path
     */
    Block replaceModule(String path, Block replacement);

    /** @return the switch that injected blocks consult */
    AdapterSwitch adapterSwitch();

    /** @return the manager that owns the model's parameters; new parameters belong to it */
    NDManager manager();
}
