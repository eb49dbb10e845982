package dev.peft4j.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Embedding;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.PromptEncoder;
import dev.peft4j.core.model.SoftPrompt;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.Arrays;
import java.util.Objects;

/**
 * Prompt tuning's trainable block, HF PEFT's {@code PromptEmbedding} (attached at
 * {@code prompt_encoder.<adapter>}): child {@code embedding}, an {@code Embedding(n, d)} whose
 * rows are the virtual tokens. Each forward pass it supplies them as a {@link SoftPrompt}
 * {@code (batch, n, d)} (the same rows for every sequence); while the model's adapters are
 * disabled it supplies nothing.
 */
public final class PromptEmbedding extends ModuleBlock implements PromptEncoder {

    private final int numVirtualTokens;
    private final int tokenDim;
    private final AdapterSwitch adapterSwitch;

    /**
     * @param numVirtualTokens the prompt length {@code n}, &gt; 0
     * @param tokenDim the hidden size {@code d}
     * @param init how the {@code (n, d)} table starts (see {@link PromptTuningInitializers})
     * @param adapterSwitch the model's switch
     */
    public PromptEmbedding(int numVirtualTokens, int tokenDim, Initializer init, AdapterSwitch adapterSwitch) {
        this.numVirtualTokens = numVirtualTokens;
        this.tokenDim = tokenDim;
        this.adapterSwitch = Objects.requireNonNull(adapterSwitch, "adapterSwitch");
        Embedding embedding = new Embedding(numVirtualTokens, tokenDim);
        embedding.setInitializer(Objects.requireNonNull(init, "init"), Parameter.Type.WEIGHT);
        addChild("embedding", embedding);
    }

    @Override
    public PairList<String, Object> encode(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!adapterSwitch.adaptersEnabled()) {
            return new PairList<>();
        }
        NDArray inputIds = inputs.get(0);
        NDArray ids = inputIds.getManager().arange(0L, numVirtualTokens, 1L, DataType.INT64);
        NDArray rows = forward(store, new NDList(ids), training, params).head();
        return new SoftPrompt(rows.expandDims(0).broadcast(inputIds.getShape().get(0), numVirtualTokens, tokenDim)).toParams();
    }

    /** HF's {@code PromptEmbedding.forward}: virtual-token ids {@code (S...)} in {@code [0, n)} to rows {@code (S..., d)}. */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return child("embedding").forward(store, inputs, training, params);
    }

    /** @return HF's saved {@code prompt_embeddings}: the table {@code (n, d)} */
    @Override
    public HostTensor promptEmbeddings() {
        NDArray weight = ((Embedding) child("embedding")).weight().getArray();
        return new HostTensor(weight.getShape().getShape(), weight.toFloatArray());
    }

    /**
     * Sets the table from HF's saved {@code prompt_embeddings}.
     *
     * @param value {@code (num_virtual_tokens, token_dim)}, fp32; copied
     * @throws IllegalArgumentException if the shape differs
     */
    void loadPromptEmbeddings(NDArray value) {
        long[] expected = {numVirtualTokens, tokenDim};
        if (!Arrays.equals(expected, value.getShape().getShape())) {
            throw new IllegalArgumentException("tensor 'prompt_embeddings' has shape " + Arrays.toString(value.getShape().getShape())
                    + ", prompt tuning on this model expects (num_virtual_tokens, token_dim) = " + Arrays.toString(expected)
                    + "; was the adapter trained on another base model?");
        }
        ((Embedding) child("embedding")).weight().getArray().set(value.toFloatArray());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(tokenDim)};
    }
}
