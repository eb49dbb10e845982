package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family decoder with HF's {@code LlamaModel} module paths: {@code embed_tokens}
 * ({@link Embedding} {@code (vocab, hidden)}), {@code rotary_emb} (no parameters),
 * {@code layers.N} ({@link LlamaDecoderLayer}), {@code norm} ({@link RmsNorm}).
 *
 * <p>Inputs: {@code input_ids (batch, seq)} int64 and {@code attention_mask (batch, seq)} int64 (1
 * real, 0 padding; all ones when absent). Output: the last hidden state {@code (batch, seq, hidden)}
 * after {@code norm}. Attention is causal and skips padding; positions are numbered from the mask
 * ({@link DecoderMask}), so left or right padding does not change a row's result. A
 * {@link KeyValueCache} in the forward {@code params} is read and extended. Prompt learning as
 * {@link PromptHost}: a {@link SoftPrompt} is prepended to the token embeddings (first call of a
 * cache only) and dropped from the output; a {@link KeyValuePrefix} ({@code (batch, kv_heads, P,
 * head_dim)} per layer) is prepended to every layer's keys and values and shifts positions by {@code P}.
 */
public final class LlamaModel extends PromptHostBlock {

    private final LlamaConfig config;

    /** @param config the decoder's configuration */
    public LlamaModel(LlamaConfig config) {
        this.config = config;
        addChild("embed_tokens", new Embedding(config.vocabSize(), config.hiddenSize()));
        List<LlamaDecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new LlamaDecoderLayer(config, i));
        }
        addChild("layers", new ModuleList(layers));
        addChild("norm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        addChild("rotary_emb", new RotaryEmbedding(config.headDim(), config.ropeTheta()));
    }

    /** @return the configuration */
    public LlamaConfig config() {
        return config;
    }

    /**
     * @throws IllegalArgumentException if the inputs, cache or prompt-learning params do not fit
     *     the model (see {@link DecoderPass#begin})
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        PairList<String, Object> forwardParams = withPromptInputs(store, inputs, training, params);
        DecoderPass pass = DecoderPass.begin(inputs, forwardParams, config.numHiddenLayers());
        NDArray words = child("embed_tokens").forward(store, new NDList(inputs.get(0)), training, forwardParams).head();
        NDArray hidden = pass.withSoftPrompt(words);
        NDList rotary = child("rotary_emb").forward(store, new NDList(pass.positions()), training, forwardParams);
        NDList layerInputs = new NDList(hidden, pass.additiveMask(), rotary.get(0), rotary.get(1));
        hidden = child("layers").forward(store, layerInputs, training, forwardParams).head();
        hidden = child("norm").forward(store, new NDList(hidden), training, forwardParams).head();
        return new NDList(pass.finish(hidden));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }
}
