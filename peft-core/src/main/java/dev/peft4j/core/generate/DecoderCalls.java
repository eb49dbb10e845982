package dev.peft4j.core.generate;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.KeyValueCache;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;

/** How {@link Generator} calls a decoder: a bare {@link TransformerModel} or one adapted by a {@link PeftModel}. */
interface DecoderCalls {

    /**
     * @param inputs {@code input_ids, attention_mask} of the whole sequence so far
     * @return logits {@code (batch, seq, vocab)}, evaluation mode
     */
    NDList forward(NDList inputs);

    /**
     * @param inputs {@code input_ids, attention_mask} of the new tokens only
     * @param cache the keys and values of the earlier tokens, appended to
     * @return logits {@code (batch, new, vocab)}
     */
    NDList forward(NDList inputs, KeyValueCache cache);

    /** @return the decoder being run */
    TransformerModel model();

    /** @return an empty cache whose arrays live under {@code parent} */
    default KeyValueCache newCache(NDManager parent) {
        return model().newKeyValueCache(parent);
    }

    static DecoderCalls of(TransformerModel model) {
        requireDecoder(model);
        return new DecoderCalls() {
            @Override
            public NDList forward(NDList inputs) {
                return model.forward(inputs, false);
            }

            @Override
            public NDList forward(NDList inputs, KeyValueCache cache) {
                return model.forward(inputs, cache);
            }

            @Override
            public TransformerModel model() {
                return model;
            }
        };
    }

    static DecoderCalls of(PeftModel peftModel) {
        requireDecoder(peftModel.baseModel());
        return new DecoderCalls() {
            @Override
            public NDList forward(NDList inputs) {
                return peftModel.forward(inputs, false);
            }

            @Override
            public NDList forward(NDList inputs, KeyValueCache cache) {
                return peftModel.forward(inputs, cache);
            }

            @Override
            public TransformerModel model() {
                return peftModel.baseModel();
            }
        };
    }

    private static void requireDecoder(TransformerModel model) {
        if (model.taskType() != TaskType.CAUSAL_LM) {
            throw new IllegalArgumentException("generation needs a CAUSAL_LM decoder (Llama or GPT-2), got "
                    + model.architecture() + " " + model.taskType());
        }
    }
}
