package dev.peft4j.core.model;

import java.util.List;

/**
 * What targeting and accounting need to know about a model family and size.
 *
 * @param name HF's {@code model_type}, lower case ({@code bert})
 * @param defaultTargetModules HF PEFT's default LoRA {@code target_modules} for the family
 * @param hiddenSize the width {@code d} of the hidden states
 * @param numLayers the number of transformer layers
 */
public record Architecture(String name, List<String> defaultTargetModules, int hiddenSize, int numLayers) {

    /** HF PEFT's defaults for BERT: {@code query}, {@code value}. */
    public static final List<String> BERT_TARGET_MODULES = List.of("query", "value");

    /** Copies the list. */
    public Architecture {
        defaultTargetModules = List.copyOf(defaultTargetModules);
    }

    /**
     * @param config a BERT configuration
     * @return the BERT architecture of that size
     */
    public static Architecture bert(BertConfig config) {
        return new Architecture(config.modelType(), BERT_TARGET_MODULES, config.hiddenSize(), config.numHiddenLayers());
    }
}
