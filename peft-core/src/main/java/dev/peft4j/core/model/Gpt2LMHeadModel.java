package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A GPT-2 decoder with its language-model head, HF's {@code GPT2LMHeadModel}: children
 * {@code transformer} ({@link Gpt2Model}) and {@code lm_head}, always tied to
 * {@code transformer.wte} ({@link TiedLmHead}, no parameter of its own).
 *
 * <p>Inputs as {@link Gpt2Model}; output: logits {@code (batch, seq, vocab)} fp32 (virtual tokens of
 * prompt tuning removed, so they line up with {@code input_ids}).
 */
public final class Gpt2LMHeadModel extends ModuleBlock {

    private final Gpt2Config config;

    /** @param config the decoder's configuration */
    public Gpt2LMHeadModel(Gpt2Config config) {
        this.config = config;
        Gpt2Model transformer = addChild("transformer", new Gpt2Model(config));
        addChild("lm_head", new TiedLmHead(transformer, "wte"));
    }

    /** @return the configuration */
    public Gpt2Config config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList hidden = child("transformer").forward(store, inputs, training, params);
        return child("lm_head").forward(store, hidden, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }
}
