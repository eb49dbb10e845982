package dev.peft4j.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Embedding;
import dev.peft4j.core.model.KeyValuePrefix;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.PromptEncoder;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Prefix tuning's trainable block, HF PEFT's {@code PrefixEncoder} (attached at
 * {@code prompt_encoder.<adapter>}): child {@code embedding}, an
 * {@code Embedding(P, layers * 2 * d)} (or {@code (P, d)} followed by the {@link PrefixProjection}
 * child {@code transform}), initialised {@code N(0, 1)} as {@code nn.Embedding}.
 *
 * <p>Each forward pass it turns its output {@code E (P, layers * 2 * d)} into a
 * {@link KeyValuePrefix}, as HF's {@code get_prompt}: {@code E} is viewed as
 * {@code (P, 2 * layers, heads, head_size)} and permuted to {@code (2 * layers, heads, P, head_size)};
 * entry {@code 2i} is layer {@code i}'s key prefix and {@code 2i + 1} its value prefix, each
 * broadcast to {@code (batch, heads, P, head_size)}. No dropout (HF has none). While the model's
 * adapters are disabled it supplies nothing.
 */
public final class PrefixEncoder extends ModuleBlock implements PromptEncoder {

    private final int numVirtualTokens;
    private final int numLayers;
    private final int heads;
    private final int headSize;
    private final AdapterSwitch adapterSwitch;

    /**
     * @param config a config resolved against the model (its model keys and
     *     {@code encoder_hidden_size} set)
     * @param adapterSwitch the model's switch
     * @throws IllegalArgumentException if the config's model keys are not set
     */
    public PrefixEncoder(PrefixTuningConfig config, AdapterSwitch adapterSwitch) {
        if (config.numLayers() == null || config.tokenDim() == null || config.numAttentionHeads() == null
                || config.encoderHiddenSize() == null) {
            throw new IllegalArgumentException("PrefixEncoder needs a config resolved against the model, got " + config);
        }
        this.adapterSwitch = Objects.requireNonNull(adapterSwitch, "adapterSwitch");
        this.numVirtualTokens = config.numVirtualTokens();
        this.numLayers = config.numLayers();
        this.heads = config.numAttentionHeads();
        this.headSize = config.tokenDim() / heads;
        int width = numLayers * 2 * config.tokenDim();
        Embedding embedding = new Embedding(numVirtualTokens, config.prefixProjection() ? config.tokenDim() : width);
        embedding.setInitializer(new NormalInitializer(1f), Parameter.Type.WEIGHT);
        addChild("embedding", embedding);
        if (config.prefixProjection()) {
            addChild("transform", new PrefixProjection(config.tokenDim(), config.encoderHiddenSize(), width));
        }
    }

    @Override
    public PairList<String, Object> encode(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!adapterSwitch.adaptersEnabled()) {
            return new PairList<>();
        }
        NDArray inputIds = inputs.get(0);
        long batch = inputIds.getShape().get(0);
        NDArray perLayer = flat(store, inputIds.getManager(), training, params)
                .reshape(numVirtualTokens, 2L * numLayers, heads, headSize)
                .transpose(1, 2, 0, 3);
        Shape batched = new Shape(batch, heads, numVirtualTokens, headSize);
        List<NDArray> keys = new ArrayList<>(numLayers);
        List<NDArray> values = new ArrayList<>(numLayers);
        for (int layer = 0; layer < numLayers; layer++) {
            keys.add(perLayer.get(2L * layer).expandDims(0).broadcast(batched));
            values.add(perLayer.get(2L * layer + 1).expandDims(0).broadcast(batched));
        }
        return new KeyValuePrefix(keys, values).toParams();
    }

    /** The encoder's output for the virtual tokens, {@code (P, layers * 2 * d)}; temporaries in {@code manager}. */
    private NDArray flat(ParameterStore store, NDManager manager, boolean training, PairList<String, Object> params) {
        NDArray ids = manager.arange(0L, numVirtualTokens, 1L, DataType.INT64);
        return forward(store, new NDList(ids), training, params).head();
    }

    /**
     * HF's {@code PrefixEncoder.forward}: virtual-token ids {@code (S...)} in {@code [0, P)} to
     * their flat prefixes {@code (S..., layers * 2 * d)}.
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList embedded = child("embedding").forward(store, inputs, training, params);
        return childNames().contains("transform") ? child("transform").forward(store, embedded, training, params) : embedded;
    }

    /** @return HF's saved {@code prompt_embeddings}: the prefix {@code (P, layers * 2 * d)}, after the projection if any */
    @Override
    public HostTensor promptEmbeddings() {
        Embedding embedding = (Embedding) child("embedding");
        try (NDManager scope = embedding.weight().getArray().getManager().newSubManager()) {
            NDArray out = flat(new ParameterStore(scope, false), scope, false, null);
            return new HostTensor(out.getShape().getShape(), out.toFloatArray());
        }
    }

    /**
     * Sets the prefix from HF's saved {@code prompt_embeddings} {@code (P, layers * 2 * d)}. With a
     * projection network the prefix becomes the table itself and the network is dropped, as HF
     * PEFT builds a {@code PrefixEncoder} in inference mode ({@code Embedding(P, layers * 2 * d)},
     * no {@code transform}): the saved prefix is the projection's output.
     *
     * @param value the saved prefix, fp32; copied
     * @throws IllegalArgumentException if its shape is not {@code (P, layers * 2 * d)}
     */
    void loadPromptEmbeddings(NDArray value) {
        int width = 2 * numLayers * heads * headSize;
        long[] expected = {numVirtualTokens, width};
        if (!Arrays.equals(expected, value.getShape().getShape())) {
            throw new IllegalArgumentException("tensor 'prompt_embeddings' has shape " + Arrays.toString(value.getShape().getShape())
                    + ", prefix tuning on this model expects (num_virtual_tokens, num_layers * 2 * token_dim) = "
                    + Arrays.toString(expected) + "; was the adapter trained on another base model?");
        }
        Embedding embedding = (Embedding) child("embedding");
        if (childNames().contains("transform")) {
            NDArray old = embedding.weight().getArray();
            Embedding table = new Embedding(numVirtualTokens, width);
            table.initialize(old.getManager(), DataType.FLOAT32);
            replaceChild("embedding", table);
            removeChild("transform");
            embedding = table;
        }
        embedding.weight().getArray().set(value.toFloatArray());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(2L * numLayers * heads * headSize)};
    }
}
