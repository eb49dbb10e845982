package dev.peft4j.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The hyper-parameters of a GPT-2 decoder, with the field names and defaults of HF transformers'
 * {@code GPT2Config} ({@code config.json}); read it with a plain Jackson {@code ObjectMapper}
 * (unknown keys such as {@code n_ctx} or {@code task_specific_params} are ignored; absent keys
 * take HF's defaults through {@link #fromJson}).
 *
 * <p>Modelled: learned positions, pre-LayerNorm blocks, the fused {@code c_attn} {@link Conv1D},
 * attention scores divided by {@code sqrt(head_dim)} ({@code scale_attn_weights: true}), the
 * {@code lm_head} tied to {@code transformer.wte}. Rejected by name: {@code scale_attn_weights: false},
 * {@code scale_attn_by_inverse_layer_idx: true}, {@code tie_word_embeddings: false}, another
 * {@code activation_function} than {@code gelu_new} (or its alias {@code gelu_pytorch_tanh}).
 * {@code reorder_and_upcast_attn} only changes the precision of fp16 runs and is ignored in fp32.
 *
 * @param modelType HF {@code model_type}, {@code "gpt2"}
 * @param vocabSize tokens in the vocabulary (default 50257)
 * @param nPositions learned positions, the longest context in tokens (default 1024)
 * @param nEmbd width {@code d} of the hidden states (default 768)
 * @param nLayer blocks {@code transformer.h.N} (default 12)
 * @param nHead attention heads per block (default 12)
 * @param nInner width of the MLP (default {@code 4 * n_embd})
 * @param activationFunction the MLP's activation, {@code "gelu_new"} (GELU, tanh approximation)
 * @param residPdrop dropout on each sub-layer's output in training (default 0.1)
 * @param embdPdrop dropout on the embeddings in training (default 0.1)
 * @param attnPdrop dropout on attention probabilities in training (default 0.1)
 * @param layerNormEpsilon epsilon of every LayerNorm (default 1e-5)
 * @param initializerRange standard deviation of the normal initialisation of fresh weights (default 0.02)
 * @param bosTokenId the beginning-of-sequence id (default 50256)
 * @param eosTokenId the end-of-sequence id (default 50256)
 * @param architectures HF {@code architectures}, kept so a written {@code config.json} stays HF-readable
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Gpt2Config(
        @JsonProperty("model_type") String modelType,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("n_positions") int nPositions,
        @JsonProperty("n_embd") int nEmbd,
        @JsonProperty("n_layer") int nLayer,
        @JsonProperty("n_head") int nHead,
        @JsonProperty("n_inner") int nInner,
        @JsonProperty("activation_function") String activationFunction,
        @JsonProperty("resid_pdrop") double residPdrop,
        @JsonProperty("embd_pdrop") double embdPdrop,
        @JsonProperty("attn_pdrop") double attnPdrop,
        @JsonProperty("layer_norm_epsilon") double layerNormEpsilon,
        @JsonProperty("initializer_range") double initializerRange,
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("eos_token_id") Integer eosTokenId,
        @JsonProperty("architectures") List<String> architectures) {

    /** The family name, HF's {@code model_type}. */
    public static final String GPT2 = "gpt2";
    /** GELU with the tanh approximation, HF's {@code gelu_new}. */
    public static final String GELU_NEW = "gelu_new";
    /** PyTorch's name of the same function, which HF also accepts. */
    public static final String GELU_PYTORCH_TANH = "gelu_pytorch_tanh";

    /**
     * Fills {@code model_type}, {@code activation_function} and {@code architectures} when null
     * and validates.
     *
     * @throws IllegalArgumentException naming the key, the bad value and what is allowed, e.g.
     *     {@code gpt2.n_embd (100) must be divisible by n_head (3)}
     */
    public Gpt2Config {
        modelType = modelType == null ? GPT2 : modelType;
        activationFunction = activationFunction == null ? GELU_NEW : activationFunction;
        architectures = architectures == null ? List.of("GPT2LMHeadModel") : List.copyOf(architectures);
        ConfigChecks.oneOf(GPT2, "model_type", modelType, List.of(GPT2));
        ConfigChecks.oneOf(GPT2, "activation_function", activationFunction, List.of(GELU_NEW, GELU_PYTORCH_TANH));
        ConfigChecks.positive(GPT2, "vocab_size", vocabSize);
        ConfigChecks.positive(GPT2, "n_positions", nPositions);
        ConfigChecks.positive(GPT2, "n_embd", nEmbd);
        ConfigChecks.positive(GPT2, "n_layer", nLayer);
        ConfigChecks.positive(GPT2, "n_head", nHead);
        ConfigChecks.positive(GPT2, "n_inner", nInner);
        ConfigChecks.divisible(GPT2, "n_embd", nEmbd, "n_head", nHead);
        ConfigChecks.probability(GPT2, "resid_pdrop", residPdrop);
        ConfigChecks.probability(GPT2, "embd_pdrop", embdPdrop);
        ConfigChecks.probability(GPT2, "attn_pdrop", attnPdrop);
        ConfigChecks.positive(GPT2, "layer_norm_epsilon", layerNormEpsilon);
        ConfigChecks.positive(GPT2, "initializer_range", initializerRange);
    }

    /** @return the width of one head, {@code n_embd / n_head} */
    public int headDim() {
        return nEmbd / nHead;
    }

    /**
     * The JSON creator: HF's defaults for absent (or JSON {@code null}) keys, then the canonical
     * constructor's validation.
     *
     * @return the configuration
     * @throws IllegalArgumentException as the canonical constructor, or for a flag asking for
     *     behaviour not modelled: {@code gpt2.scale_attn_by_inverse_layer_idx true is not supported;
     *     supported: false}
     */
    @JsonCreator
    public static Gpt2Config fromJson(
            @JsonProperty("model_type") String modelType,
            @JsonProperty("vocab_size") Integer vocabSize,
            @JsonProperty("n_positions") Integer nPositions,
            @JsonProperty("n_embd") Integer nEmbd,
            @JsonProperty("n_layer") Integer nLayer,
            @JsonProperty("n_head") Integer nHead,
            @JsonProperty("n_inner") Integer nInner,
            @JsonProperty("activation_function") String activationFunction,
            @JsonProperty("resid_pdrop") Double residPdrop,
            @JsonProperty("embd_pdrop") Double embdPdrop,
            @JsonProperty("attn_pdrop") Double attnPdrop,
            @JsonProperty("layer_norm_epsilon") Double layerNormEpsilon,
            @JsonProperty("initializer_range") Double initializerRange,
            @JsonProperty("scale_attn_weights") Boolean scaleAttnWeights,
            @JsonProperty("scale_attn_by_inverse_layer_idx") Boolean scaleByInverseLayerIdx,
            @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
            @JsonProperty("bos_token_id") Integer bosTokenId,
            @JsonProperty("eos_token_id") Integer eosTokenId,
            @JsonProperty("architectures") List<String> architectures) {
        requireFlag("scale_attn_weights", scaleAttnWeights, true);
        requireFlag("scale_attn_by_inverse_layer_idx", scaleByInverseLayerIdx, false);
        requireFlag("tie_word_embeddings", tieWordEmbeddings, true);
        int embd = nEmbd == null ? 768 : nEmbd;
        return new Gpt2Config(modelType, or(vocabSize, 50257), or(nPositions, 1024), embd, or(nLayer, 12), or(nHead, 12),
                nInner == null ? 4 * embd : nInner, activationFunction, or(residPdrop, 0.1), or(embdPdrop, 0.1),
                or(attnPdrop, 0.1), or(layerNormEpsilon, 1e-5), or(initializerRange, 0.02), or(bosTokenId, 50256),
                or(eosTokenId, 50256), architectures);
    }

    private static void requireFlag(String key, Boolean value, boolean supported) {
        if (value != null && value != supported) {
            throw new IllegalArgumentException(GPT2 + "." + key + " " + value + " is not supported; supported: " + supported);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
