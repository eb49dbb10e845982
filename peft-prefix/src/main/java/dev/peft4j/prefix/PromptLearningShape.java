package dev.peft4j.prefix;

import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.AdaptableModel;

/**
 * The model sizes HF PEFT writes into every prompt-learning config ({@code PromptLearningConfig}:
 * {@code num_layers}, {@code token_dim}, {@code num_attention_heads},
 * {@code num_transformer_submodules}), taken from the model. HF fills absent ones from the model
 * ({@code _prepare_prompt_learning_config}); given ones must agree with it here (HF would build a
 * prefix of the wrong shape and fail later, or silently for {@code token_dim}).
 *
 * @param numLayers transformer layers
 * @param tokenDim the hidden size {@code d}; for prefix tuning the key/value width
 *     {@code head_dim * num_key_value_heads}
 * @param numAttentionHeads heads per attention layer; for prefix tuning the key/value heads
 * @param numTransformerSubmodules 1 for an encoder-only or decoder-only model (2 is HF's value for
 *     encoder-decoder models)
 */
record PromptLearningShape(int numLayers, int tokenDim, int numAttentionHeads, int numTransformerSubmodules) {

    /**
     * The sizes of prompt tuning (and every prompt-learning method but prefix tuning): HF's
     * {@code _prepare_prompt_learning_config} takes {@code token_dim} from {@code hidden_size} and
     * {@code num_attention_heads} from the model config.
     *
     * @param model a peft4j transformer
     * @return its sizes
     */
    static PromptLearningShape of(TransformerModel model) {
        return new PromptLearningShape(model.numLayers(), model.hiddenSize(), model.numAttentionHeads(), 1);
    }

    /**
     * The sizes of prefix tuning, which prepends to every layer's keys and values: with grouped-query
     * attention those have {@code num_key_value_heads} heads of {@code head_dim}, so HF PEFT sets
     * {@code num_attention_heads = num_key_value_heads} and
     * {@code token_dim = head_dim * num_key_value_heads} (HF PEFT's {@code _prepare_prompt_learning_config},
     * issue 1901). Without grouped-query attention (BERT, GPT-2) these are the hidden size and the
     * attention heads.
     *
     * @param model a peft4j transformer
     * @return its key/value sizes
     */
    static PromptLearningShape ofKeysAndValues(TransformerModel model) {
        return new PromptLearningShape(model.numLayers(), model.headDim() * model.numKeyValueHeads(), model.numKeyValueHeads(), 1);
    }

    /**
     * @param method the method's name for messages ({@code prefix tuning})
     * @param model the model to adapt
     * @return the model as a {@link TransformerModel}, whose encoder accepts a prompt encoder
     * @throws IllegalArgumentException if the model is another {@link AdaptableModel}
     */
    static TransformerModel transformerModel(String method, AdaptableModel model) {
        if (model instanceof TransformerModel transformer) {
            return transformer;
        }
        throw new IllegalArgumentException(method + " needs a peft4j TransformerModel, whose encoder runs prompt encoders; got a "
                + model.getClass().getName());
    }

    /**
     * Checks the values a config gives against the model's.
     *
     * @param owner the config's message prefix ({@code prefix}, {@code prompt})
     * @param numLayers the config's {@code num_layers}, or {@code null}
     * @param tokenDim the config's {@code token_dim}, or {@code null}
     * @param numAttentionHeads the config's {@code num_attention_heads}, or {@code null}
     * @param numTransformerSubmodules the config's {@code num_transformer_submodules}, or {@code null}
     * @return this shape
     * @throws IllegalArgumentException naming the key, its value and the model's, e.g.
     *     {@code prefix.num_layers is 12, but the model has 6 layers}, {@code prefix.token_dim is 64, but
     *     the model has 32 as key/value width (head_dim * num_key_value_heads)}
     */
    PromptLearningShape check(String owner, Integer numLayers, Integer tokenDim, Integer numAttentionHeads,
            Integer numTransformerSubmodules) {
        agree(owner + ".num_layers", numLayers, this.numLayers, "layers");
        boolean keysAndValues = owner.equals("prefix");
        agree(owner + ".token_dim", tokenDim, this.tokenDim,
                keysAndValues ? "as key/value width (head_dim * num_key_value_heads)" : "as hidden size");
        agree(owner + ".num_attention_heads", numAttentionHeads, this.numAttentionHeads,
                keysAndValues ? "key/value heads" : "attention heads");
        if (numTransformerSubmodules != null && numTransformerSubmodules != this.numTransformerSubmodules) {
            throw new IllegalArgumentException(owner + ".num_transformer_submodules is " + numTransformerSubmodules
                    + ", but the model has " + this.numTransformerSubmodules + " (an encoder-only or decoder-only model; 2 is for encoder-decoder models)");
        }
        return this;
    }

    private static void agree(String key, Integer given, int actual, String what) {
        if (given != null && given != actual) {
            throw new IllegalArgumentException(key + " is " + given + ", but the model has " + actual + " " + what);
        }
    }

    /**
     * @param key the full key for the message ({@code prefix.num_layers})
     * @param value a value that must be positive when given
     * @throws IllegalArgumentException {@code prefix.num_layers must be > 0, got 0}
     */
    static void requirePositive(String key, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + value);
        }
    }
}
