package dev.peft4j.prefix;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.peft4j.core.spi.PeftConfig;
import java.util.List;

/**
 * The configuration of prefix tuning (Li and Liang 2021, "Prefix-Tuning: Optimizing Continuous
 * Prompts for Generation"): every attention layer attends, besides the tokens, to
 * {@code num_virtual_tokens} trained key and value vectors per head.
 *
 * <p>JSON keys, defaults and meaning are HF PEFT's {@code PrefixTuningConfig}
 * ({@code peft_type} {@code PREFIX_TUNING}). The trainable tensor is HF's
 * {@code prompt_encoder.<adapter>.embedding.weight} of shape
 * {@code (num_virtual_tokens, num_layers * 2 * token_dim)}, saved as {@code prompt_embeddings}:
 * per virtual token, layer {@code i}'s key is the slice {@code [2i d, (2i+1) d)} and its value the
 * next {@code d}, each split into heads. With {@code prefix_projection} (the paper's
 * reparameterisation, section 4.3) the trained parameters are instead an
 * {@code Embedding(num_virtual_tokens, d)} and an MLP
 * {@code Linear(d, encoder_hidden_size) -> tanh -> Linear(encoder_hidden_size, num_layers * 2 * d)}
 * whose output is the prefix.
 *
 * <p>{@code num_layers}, {@code token_dim}, {@code num_attention_heads} and
 * {@code num_transformer_submodules} describe the model (HF writes them into every saved config);
 * when given they must agree with it, when absent they are taken from it. Every component is
 * boxed so that an absent JSON key arrives as {@code null} and takes HF's default.
 *
 * @param numVirtualTokens the prefix length {@code P}, default 20, must be &gt; 0
 * @param prefixProjection whether to reparameterise the prefix through the MLP, default false
 * @param encoderHiddenSize the MLP's hidden width, default (when {@code null}) the model's hidden
 *     size; used only with {@code prefix_projection}
 * @param modulesToSave further modules trained and saved whole; default empty (the SEQ_CLS head
 *     is always saved)
 * @param numLayers the model's layer count, or {@code null}
 * @param tokenDim the model's hidden size, or {@code null}
 * @param numAttentionHeads the model's heads per layer, or {@code null}
 * @param numTransformerSubmodules 1 for encoder-only models, or {@code null}
 */
public record PrefixTuningConfig(
        @JsonProperty("num_virtual_tokens") Integer numVirtualTokens,
        @JsonProperty("prefix_projection") Boolean prefixProjection,
        @JsonProperty("encoder_hidden_size") Integer encoderHiddenSize,
        @JsonProperty("modules_to_save") List<String> modulesToSave,
        @JsonProperty("num_layers") Integer numLayers,
        @JsonProperty("token_dim") Integer tokenDim,
        @JsonProperty("num_attention_heads") Integer numAttentionHeads,
        @JsonProperty("num_transformer_submodules") Integer numTransformerSubmodules)
        implements PeftConfig {

    /** HF's {@code peft_type} of prefix tuning. */
    public static final String PEFT_TYPE = "PREFIX_TUNING";

    /** The default prefix length. */
    public static final int DEFAULT_NUM_VIRTUAL_TOKENS = 20;

    /**
     * Fills the defaults and validates.
     *
     * @throws IllegalArgumentException naming the key and the value, e.g.
     *     {@code prefix.num_virtual_tokens must be > 0, got 0}
     */
    public PrefixTuningConfig {
        numVirtualTokens = numVirtualTokens == null ? DEFAULT_NUM_VIRTUAL_TOKENS : numVirtualTokens;
        prefixProjection = prefixProjection != null && prefixProjection;
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
        PromptLearningShape.requirePositive("prefix.num_virtual_tokens", numVirtualTokens);
        PromptLearningShape.requirePositive("prefix.encoder_hidden_size", encoderHiddenSize);
        PromptLearningShape.requirePositive("prefix.num_layers", numLayers);
        PromptLearningShape.requirePositive("prefix.token_dim", tokenDim);
        PromptLearningShape.requirePositive("prefix.num_attention_heads", numAttentionHeads);
        PromptLearningShape.requirePositive("prefix.num_transformer_submodules", numTransformerSubmodules);
        if (tokenDim != null && numAttentionHeads != null && tokenDim % numAttentionHeads != 0) {
            throw new IllegalArgumentException("prefix.token_dim " + tokenDim + " must be divisible by num_attention_heads "
                    + numAttentionHeads);
        }
    }

    /** @return a config with every default: 20 virtual tokens, no projection */
    public static PrefixTuningConfig defaults() {
        return new PrefixTuningConfig(null, null, null, null, null, null, null, null);
    }

    /**
     * @param tokens the prefix length, &gt; 0
     * @return a copy with {@code num_virtual_tokens} set
     */
    public PrefixTuningConfig withNumVirtualTokens(int tokens) {
        return new PrefixTuningConfig(tokens, prefixProjection, encoderHiddenSize, modulesToSave, numLayers, tokenDim,
                numAttentionHeads, numTransformerSubmodules);
    }

    /**
     * @param projection whether to reparameterise through the MLP
     * @param hiddenSize the MLP's hidden width, or {@code null} for the model's hidden size
     * @return a copy with {@code prefix_projection} and {@code encoder_hidden_size} set
     */
    public PrefixTuningConfig withPrefixProjection(boolean projection, Integer hiddenSize) {
        return new PrefixTuningConfig(numVirtualTokens, projection, hiddenSize, modulesToSave, numLayers, tokenDim,
                numAttentionHeads, numTransformerSubmodules);
    }

    /**
     * The config as applied to a model: the model keys and {@code encoder_hidden_size} filled in,
     * as HF PEFT writes it into {@code adapter_config.json}.
     *
     * @param shape the model's sizes, already checked against this config
     * @return the completed config
     */
    PrefixTuningConfig resolvedFor(PromptLearningShape shape) {
        return new PrefixTuningConfig(numVirtualTokens, prefixProjection,
                encoderHiddenSize == null ? shape.tokenDim() : encoderHiddenSize, modulesToSave,
                shape.numLayers(), shape.tokenDim(), shape.numAttentionHeads(), shape.numTransformerSubmodules());
    }
}
