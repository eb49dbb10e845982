package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A Llama decoder with its language-model head, HF's {@code LlamaForCausalLM}: children
 * {@code model} ({@link LlamaModel}) and {@code lm_head}, a {@link Linear}
 * {@code (hidden -> vocab)} without bias, or with {@code tie_word_embeddings} a
 * {@link TiedLmHead} on {@code model.embed_tokens.weight} that owns no parameter.
 *
 * <p>Inputs as {@link LlamaModel}; output: logits {@code (batch, seq, vocab)} fp32 (virtual tokens of
 * prompt tuning removed, so they line up with {@code input_ids}).
 */
public final class LlamaForCausalLM extends ModuleBlock {

    private final LlamaConfig config;

    /** @param config the decoder's configuration */
    public LlamaForCausalLM(LlamaConfig config) {
        this.config = config;
        LlamaModel model = addChild("model", new LlamaModel(config));
        addChild("lm_head", config.tieWordEmbeddings()
                ? new TiedLmHead(model, "embed_tokens")
                : new Linear(config.hiddenSize(), config.vocabSize(), false));
    }

    /** @return the configuration */
    public LlamaConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList hidden = child("model").forward(store, inputs, training, params);
        return child("lm_head").forward(store, hidden, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }
}
