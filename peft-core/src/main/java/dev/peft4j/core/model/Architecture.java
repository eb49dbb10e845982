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

    /** HF PEFT's defaults for Llama: {@code q_proj}, {@code v_proj}. */
    public static final List<String> LLAMA_TARGET_MODULES = List.of("q_proj", "v_proj");

    /** HF PEFT's default for GPT-2: the fused {@code c_attn} (a {@link Conv1D}, hence {@code fan_in_fan_out}). */
    public static final List<String> GPT2_TARGET_MODULES = List.of("c_attn");

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

    /**
     * @param config a Llama configuration
     * @return the Llama architecture of that size
     */
    public static Architecture llama(LlamaConfig config) {
        return new Architecture(config.modelType(), LLAMA_TARGET_MODULES, config.hiddenSize(), config.numHiddenLayers());
    }

    /**
     * @param config a GPT-2 configuration
     * @return the GPT-2 architecture of that size
     */
    public static Architecture gpt2(Gpt2Config config) {
        return new Architecture(config.modelType(), GPT2_TARGET_MODULES, config.nEmbd(), config.nLayer());
    }
}
