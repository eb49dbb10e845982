package dev.peft4j.core.model;

import ai.djl.nn.Block;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.Map;

/**
 * A base transformer that runs prompt-learning encoders ({@link PromptEncoder}) at the start of
 * its forward pass and feeds what they return ({@link SoftPrompt}, {@link KeyValuePrefix}) to its
 * layers: {@link BertModel}, {@link LlamaModel}, {@link Gpt2Model}. Attached encoders are children
 * {@code prompt_encoder.<adapter>} (HF PEFT's name), so their parameters train, count and save like
 * any other. Prefer {@link TransformerModel#attachPromptEncoder}, which also binds dropout streams.
 */
public interface PromptHost extends Block {

    /** The child holding attached prompt encoders, HF PEFT's name. */
    String PROMPT_ENCODER = "prompt_encoder";

    /**
     * Attaches a prompt encoder as {@code prompt_encoder.<adapterName>}. Several prompt-learning
     * adapters may be attached (HF PEFT's {@code PeftModel}); each forward pass runs only the
     * encoders whose adapter {@code adapterSwitch} calls active.
     *
     * @param adapterName the adapter's name, without {@code "."}
     * @param encoder the encoder, initialized
     * @param adapterSwitch the model's switch, which says whose encoder runs
     * @param <B> a block that is a prompt encoder
     * @throws IllegalArgumentException if an encoder is already attached for {@code adapterName}
     */
    <B extends Block & PromptEncoder> void attachPromptEncoder(String adapterName, B encoder, AdapterSwitch adapterSwitch);

    /**
     * Removes the prompt encoder of {@code adapterName}.
     *
     * @param adapterName the adapter's name
     * @return the removed encoder block, or {@code null} if none was attached for it
     */
    Block detachPromptEncoder(String adapterName);

    /** @return the attached prompt encoders by their path below this block ({@code prompt_encoder.default}) */
    Map<String, PromptEncoder> promptEncoders();
}
