package dev.peft4j.prefix;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.peft4j.core.spi.PeftConfig;
import java.util.Arrays;
import java.util.List;

/**
 * The configuration of prompt tuning (Lester et al. 2021, "The Power of Scale for
 * Parameter-Efficient Prompt Tuning"): {@code num_virtual_tokens} trained embeddings are prepended
 * to the input embeddings.
 *
 * <p>JSON keys, defaults and meaning are HF PEFT's {@code PromptTuningConfig}
 * ({@code peft_type} {@code PROMPT_TUNING}). The trainable tensor is HF's
 * {@code prompt_encoder.<adapter>.embedding.weight} of shape {@code (num_virtual_tokens, token_dim)},
 * saved as {@code prompt_embeddings}. {@code tokenizer_name_or_path} and {@code tokenizer_kwargs}
 * are accepted from HF-written configs as information only: for {@code TEXT} initialisation the
 * caller hands the base model's tokenizer to
 * {@link dev.peft4j.core.runtime.PeftRuntime#getPeftModel(dev.peft4j.core.model.TransformerModel, PeftConfig, dev.peft4j.core.spi.ConfigOrigin, dev.peft4j.core.spi.TextEncoder)}
 * (HF loads one by name). {@code num_layers}, {@code token_dim}, {@code num_attention_heads} and
 * {@code num_transformer_submodules} describe the model: given, they must agree with it.
 *
 * @param numVirtualTokens the prompt length, default 20, must be &gt; 0
 * @param promptTuningInit how the prompt starts, default {@link PromptTuningInit#RANDOM}
 * @param promptTuningInitText the text for {@link PromptTuningInit#TEXT}, required then
 * @param modulesToSave further modules trained and saved whole; default empty
 * @param numLayers the model's layer count, or {@code null}
 * @param tokenDim the model's hidden size, or {@code null}
 * @param numAttentionHeads the model's heads per layer, or {@code null}
 * @param numTransformerSubmodules 1 for encoder-only models, or {@code null}
 */
public record PromptTuningConfig(
        @JsonProperty("num_virtual_tokens") Integer numVirtualTokens,
        @JsonProperty("prompt_tuning_init") PromptTuningInit promptTuningInit,
        @JsonProperty("prompt_tuning_init_text") String promptTuningInitText,
        @JsonProperty("modules_to_save") List<String> modulesToSave,
        @JsonProperty("num_layers") Integer numLayers,
        @JsonProperty("token_dim") Integer tokenDim,
        @JsonProperty("num_attention_heads") Integer numAttentionHeads,
        @JsonProperty("num_transformer_submodules") Integer numTransformerSubmodules)
        implements PeftConfig {

    /** HF's {@code peft_type} of prompt tuning. */
    public static final String PEFT_TYPE = "PROMPT_TUNING";

    /** The default prompt length. */
    public static final int DEFAULT_NUM_VIRTUAL_TOKENS = 20;

    /** HF PEFT's {@code PromptTuningInit}: how the prompt embeddings start. */
    public enum PromptTuningInit {
        /** {@code N(0, 1)} per element, {@code nn.Embedding}'s default (HF warns these may fall off the embedding manifold). */
        RANDOM,
        /**
         * The word embeddings of the tokenized {@code prompt_tuning_init_text} (special tokens
         * included), the ids repeated and cut to {@code num_virtual_tokens}.
         */
        TEXT,
        /** The word embeddings of {@code num_virtual_tokens} vocabulary ids drawn uniformly (the engine's seeded generator). */
        SAMPLE_VOCAB;

        /** @return the JSON spelling, the constant's name */
        @JsonValue
        public String json() {
            return name();
        }

        /**
         * @param json {@code RANDOM}, {@code TEXT} or {@code SAMPLE_VOCAB}
         * @return the value
         * @throws IllegalArgumentException {@code prompt.prompt_tuning_init must be one of [RANDOM, TEXT, SAMPLE_VOCAB], got 'WORDS'}
         */
        @JsonCreator
        public static PromptTuningInit fromJson(String json) {
            for (PromptTuningInit init : values()) {
                if (init.name().equals(json)) {
                    return init;
                }
            }
            throw new IllegalArgumentException("prompt.prompt_tuning_init must be one of " + Arrays.toString(values())
                    + ", got '" + json + "'");
        }
    }

    /**
     * Fills the defaults and validates.
     *
     * @throws IllegalArgumentException naming the key and the value, e.g.
     *     {@code prompt.num_virtual_tokens must be > 0, got 0}, or
     *     {@code prompt.prompt_tuning_init_text is required when prompt_tuning_init is TEXT}
     */
    public PromptTuningConfig {
        numVirtualTokens = numVirtualTokens == null ? DEFAULT_NUM_VIRTUAL_TOKENS : numVirtualTokens;
        promptTuningInit = promptTuningInit == null ? PromptTuningInit.RANDOM : promptTuningInit;
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
        PromptLearningShape.requirePositive("prompt.num_virtual_tokens", numVirtualTokens);
        PromptLearningShape.requirePositive("prompt.num_layers", numLayers);
        PromptLearningShape.requirePositive("prompt.token_dim", tokenDim);
        PromptLearningShape.requirePositive("prompt.num_attention_heads", numAttentionHeads);
        PromptLearningShape.requirePositive("prompt.num_transformer_submodules", numTransformerSubmodules);
        if (promptTuningInit == PromptTuningInit.TEXT && promptTuningInitText == null) {
            throw new IllegalArgumentException("prompt.prompt_tuning_init_text is required when prompt_tuning_init is TEXT");
        }
    }

    /** @return a config with every default: 20 virtual tokens, {@code RANDOM} */
    public static PromptTuningConfig defaults() {
        return new PromptTuningConfig(null, null, null, null, null, null, null, null);
    }

    /**
     * @param tokens the prompt length, &gt; 0
     * @return a copy with {@code num_virtual_tokens} set
     */
    public PromptTuningConfig withNumVirtualTokens(int tokens) {
        return new PromptTuningConfig(tokens, promptTuningInit, promptTuningInitText, modulesToSave, numLayers, tokenDim,
                numAttentionHeads, numTransformerSubmodules);
    }

    /**
     * @param init how the prompt starts
     * @param text the text for {@link PromptTuningInit#TEXT}, else {@code null}
     * @return a copy with {@code prompt_tuning_init} and {@code prompt_tuning_init_text} set
     */
    public PromptTuningConfig withInit(PromptTuningInit init, String text) {
        return new PromptTuningConfig(numVirtualTokens, init, text, modulesToSave, numLayers, tokenDim, numAttentionHeads,
                numTransformerSubmodules);
    }

    /**
     * The config as applied to a model, the model keys filled in (HF writes them).
     *
     * @param shape the model's sizes, already checked against this config
     * @return the completed config
     */
    PromptTuningConfig resolvedFor(PromptLearningShape shape) {
        return new PromptTuningConfig(numVirtualTokens, promptTuningInit, promptTuningInitText, modulesToSave,
                shape.numLayers(), shape.tokenDim(), shape.numAttentionHeads(), shape.numTransformerSubmodules());
    }
}
