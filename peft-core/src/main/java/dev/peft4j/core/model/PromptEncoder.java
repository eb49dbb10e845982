package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.io.HostTensor;

/**
 * The trainable part of a prompt-learning method, HF PEFT's {@code prompt_encoder}
 * ({@code PromptEmbedding} for prompt tuning, {@code PrefixEncoder} for prefix tuning): a block
 * that supplies virtual inputs to a {@link BertModel}.
 *
 * <p>Implementations are {@link ai.djl.nn.Block}s attached with
 * {@link TransformerModel#attachPromptEncoder}, which puts them into the module tree (so their
 * parameters train, count and save like any other) at {@code <encoder>.prompt_encoder.<adapter>}.
 * {@link BertModel} calls {@link #encode} once at the start of every forward pass and passes what it
 * returns ({@link SoftPrompt}, {@link KeyValuePrefix}) to its sub-blocks through the forward
 * {@code params}. An encoder consults its model's {@link dev.peft4j.core.spi.AdapterSwitch} and
 * returns no params while adapters are disabled, so the model computes exactly the base model.
 */
public interface PromptEncoder {

    /**
     * Computes this forward pass's virtual inputs.
     *
     * @param store the forward pass's parameter store
     * @param inputs the model's inputs, {@code input_ids (batch, seq)} first; temporaries belong
     *     to its manager
     * @param training whether this is a training pass
     * @param params the forward pass's {@code params} (e.g. a {@link DropoutSeed}), possibly {@code null}
     * @return params to add: {@link SoftPrompt#PARAM} and/or {@link KeyValuePrefix#PARAM}, each
     *     with {@code batch} rows; empty while adapters are disabled
     */
    PairList<String, Object> encode(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params);

    /**
     * The tensor HF PEFT saves for a prompt-learning adapter under {@code prompt_embeddings}
     * ({@code get_prompt_embedding_to_save}): the encoder's output for the virtual tokens, e.g.
     * {@code (num_virtual_tokens, hidden)} for prompt tuning and
     * {@code (num_virtual_tokens, layers * 2 * hidden)} for prefix tuning (after the projection,
     * when there is one).
     *
     * @return a host copy, fp32
     */
    HostTensor promptEmbeddings();
}
