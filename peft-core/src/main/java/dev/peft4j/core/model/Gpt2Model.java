package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-2 decoder with HF's {@code GPT2Model} module paths: {@code wte} ({@link Embedding}
 * {@code (vocab, n_embd)}), {@code wpe} ({@code (n_positions, n_embd)} learned positions),
 * {@code drop} ({@code embd_pdrop}), {@code h.N} ({@link Gpt2Block}), {@code ln_f}.
 *
 * <p>Inputs: {@code input_ids (batch, seq)} int64 and {@code attention_mask (batch, seq)} int64 (1
 * real, 0 padding; all ones when absent). Output: the last hidden state {@code (batch, seq, n_embd)}
 * after {@code ln_f}. Causal attention that skips padding, positions numbered from the mask
 * ({@link DecoderMask}); {@link KeyValueCache} and prompt learning as {@link LlamaModel}.
 */
public final class Gpt2Model extends PromptHostBlock {

    private final Gpt2Config config;

    /** @param config the decoder's configuration */
    public Gpt2Model(Gpt2Config config) {
        this.config = config;
        addChild("wte", new Embedding(config.vocabSize(), config.nEmbd()));
        addChild("wpe", new Embedding(config.nPositions(), config.nEmbd()));
        addChild("drop", new Dropout(config.embdPdrop()));
        List<Gpt2Block> blocks = new ArrayList<>();
        for (int i = 0; i < config.nLayer(); i++) {
            blocks.add(new Gpt2Block(config, i));
        }
        addChild("h", new ModuleList(blocks));
        addChild("ln_f", new LayerNorm(config.nEmbd(), (float) config.layerNormEpsilon()));
    }

    /** @return the configuration */
    public Gpt2Config config() {
        return config;
    }

    /**
     * @throws IllegalArgumentException if a position reaches {@code n_positions}, or the inputs,
     *     cache or prompt-learning params do not fit the model (see {@link DecoderPass#begin})
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        PairList<String, Object> forwardParams = withPromptInputs(store, inputs, training, params);
        DecoderPass pass = DecoderPass.begin(inputs, forwardParams, config.nLayer());
        long last = pass.positions().max().getLong();
        if (last >= config.nPositions()) {
            throw new IllegalArgumentException("position " + last + " is beyond n_positions " + config.nPositions()
                    + " (virtual tokens and cached tokens count)");
        }
        NDArray words = child("wte").forward(store, new NDList(inputs.get(0)), training, forwardParams).head();
        NDArray positions = child("wpe").forward(store, new NDList(pass.positions()), training, forwardParams).head();
        NDArray hidden = pass.withSoftPrompt(words).add(positions);
        hidden = child("drop").forward(store, new NDList(hidden), training, forwardParams).head();
        hidden = child("h").forward(store, new NDList(hidden, pass.additiveMask()), training, forwardParams).head();
        hidden = child("ln_f").forward(store, new NDList(hidden), training, forwardParams).head();
        return new NDList(pass.finish(hidden));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.nEmbd())};
    }
}
