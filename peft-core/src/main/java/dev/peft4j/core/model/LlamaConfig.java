package dev.peft4j.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The hyper-parameters of a Llama-family decoder, with the field names and defaults of HF
 * transformers' {@code LlamaConfig} ({@code config.json}); read it with a plain Jackson
 * {@code ObjectMapper} (unknown keys such as {@code transformers_version} or {@code torch_dtype}
 * are ignored; absent keys take HF's defaults through {@link #fromJson}).
 *
 * <p>Modelled: RMSNorm, rotary position embeddings with HF's {@code rotate_half} convention and
 * {@code rope_theta}, grouped-query attention ({@code num_key_value_heads}), the SwiGLU MLP,
 * optional projection biases and a tied or own {@code lm_head}. Not modelled (rejected by name):
 * {@code rope_scaling}, another {@code hidden_act} than {@code silu}, another {@code model_type}
 * than {@code llama}.
 *
 * @param modelType HF {@code model_type}, {@code "llama"}
 * @param vocabSize tokens in the vocabulary (default 32000)
 * @param hiddenSize width {@code d} of the hidden states (default 4096)
 * @param intermediateSize width of the SwiGLU MLP (default 11008)
 * @param numHiddenLayers decoder layers {@code model.layers.N} (default 32)
 * @param numAttentionHeads query heads per layer (default 32)
 * @param numKeyValueHeads key/value heads per layer, dividing {@code num_attention_heads} (default: the heads)
 * @param headDim width of one head (default {@code hidden_size / num_attention_heads})
 * @param hiddenAct the MLP's activation, {@code "silu"}
 * @param maxPositionEmbeddings the context HF trained for, in tokens (default 2048); informative,
 *     rotary positions are not limited by it
 * @param rmsNormEps epsilon of every RMSNorm (default 1e-6)
 * @param ropeTheta base of the rotary frequencies (default 10000)
 * @param attentionBias whether {@code q/k/v/o_proj} have biases (default false)
 * @param mlpBias whether {@code gate/up/down_proj} have biases (default false)
 * @param attentionDropout dropout on attention probabilities in training (default 0)
 * @param tieWordEmbeddings whether {@code lm_head} reuses {@code model.embed_tokens.weight} (default false)
 * @param initializerRange standard deviation of the normal initialisation of fresh weights (default 0.02)
 * @param bosTokenId the beginning-of-sequence id, or {@code null}
 * @param eosTokenId the end-of-sequence ids (HF allows one or several), empty when none
 * @param padTokenId the padding id, or {@code null}
 * @param architectures HF {@code architectures}, kept so a written {@code config.json} stays HF-readable
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlamaConfig(
        @JsonProperty("model_type") String modelType,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("num_key_value_heads") int numKeyValueHeads,
        @JsonProperty("head_dim") int headDim,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("rms_norm_eps") double rmsNormEps,
        @JsonProperty("rope_theta") double ropeTheta,
        @JsonProperty("attention_bias") boolean attentionBias,
        @JsonProperty("mlp_bias") boolean mlpBias,
        @JsonProperty("attention_dropout") double attentionDropout,
        @JsonProperty("tie_word_embeddings") boolean tieWordEmbeddings,
        @JsonProperty("initializer_range") double initializerRange,
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("eos_token_id")
        @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY, JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED})
        List<Integer> eosTokenId,
        @JsonProperty("pad_token_id") Integer padTokenId,
        @JsonProperty("architectures") List<String> architectures) {

    /** The family name, HF's {@code model_type}. */
    public static final String LLAMA = "llama";
    /** The only MLP activation: SiLU, {@code x * sigmoid(x)}. */
    public static final String SILU = "silu";

    /**
     * Fills {@code model_type} and {@code architectures} when null and validates.
     *
     * @throws IllegalArgumentException naming the key, the bad value and what is allowed, e.g.
     *     {@code llama.num_attention_heads (4) must be divisible by num_key_value_heads (3)}
     */
    public LlamaConfig {
        modelType = modelType == null ? LLAMA : modelType;
        hiddenAct = hiddenAct == null ? SILU : hiddenAct;
        architectures = architectures == null ? List.of("LlamaForCausalLM") : List.copyOf(architectures);
        eosTokenId = eosTokenId == null ? List.of() : List.copyOf(eosTokenId);
        ConfigChecks.oneOf(LLAMA, "model_type", modelType, List.of(LLAMA));
        ConfigChecks.oneOf(LLAMA, "hidden_act", hiddenAct, List.of(SILU));
        ConfigChecks.positive(LLAMA, "vocab_size", vocabSize);
        ConfigChecks.positive(LLAMA, "hidden_size", hiddenSize);
        ConfigChecks.positive(LLAMA, "intermediate_size", intermediateSize);
        ConfigChecks.positive(LLAMA, "num_hidden_layers", numHiddenLayers);
        ConfigChecks.positive(LLAMA, "num_attention_heads", numAttentionHeads);
        ConfigChecks.positive(LLAMA, "num_key_value_heads", numKeyValueHeads);
        ConfigChecks.positive(LLAMA, "head_dim", headDim);
        ConfigChecks.positive(LLAMA, "max_position_embeddings", maxPositionEmbeddings);
        ConfigChecks.divisible(LLAMA, "num_attention_heads", numAttentionHeads, "num_key_value_heads", numKeyValueHeads);
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("llama.head_dim must be even (rotary embeddings rotate pairs), got " + headDim);
        }
        ConfigChecks.positive(LLAMA, "rms_norm_eps", rmsNormEps);
        ConfigChecks.positive(LLAMA, "rope_theta", ropeTheta);
        ConfigChecks.positive(LLAMA, "initializer_range", initializerRange);
        ConfigChecks.probability(LLAMA, "attention_dropout", attentionDropout);
    }

    /**
     * The JSON creator: HF's defaults for absent (or JSON {@code null}) keys, then the canonical
     * constructor's validation.
     *
     * @return the configuration
     * @throws IllegalArgumentException as the canonical constructor, or for a {@code rope_scaling}
     *     other than {@code null}: {@code llama.rope_scaling {rope_type=linear, factor=2.0} is not
     *     supported; supported: null (plain rotary embeddings)}, or if {@code head_dim} is absent
     *     and {@code hidden_size} does not divide by {@code num_attention_heads}
     */
    @JsonCreator
    public static LlamaConfig fromJson(
            @JsonProperty("model_type") String modelType,
            @JsonProperty("vocab_size") Integer vocabSize,
            @JsonProperty("hidden_size") Integer hiddenSize,
            @JsonProperty("intermediate_size") Integer intermediateSize,
            @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
            @JsonProperty("num_attention_heads") Integer numAttentionHeads,
            @JsonProperty("num_key_value_heads") Integer numKeyValueHeads,
            @JsonProperty("head_dim") Integer headDim,
            @JsonProperty("hidden_act") String hiddenAct,
            @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
            @JsonProperty("rms_norm_eps") Double rmsNormEps,
            @JsonProperty("rope_theta") Double ropeTheta,
            @JsonProperty("rope_scaling") Map<String, Object> ropeScaling,
            @JsonProperty("attention_bias") Boolean attentionBias,
            @JsonProperty("mlp_bias") Boolean mlpBias,
            @JsonProperty("attention_dropout") Double attentionDropout,
            @JsonProperty("tie_word_embeddings") Boolean tieWordEmbeddings,
            @JsonProperty("initializer_range") Double initializerRange,
            @JsonProperty("bos_token_id") Integer bosTokenId,
            @JsonProperty("eos_token_id")
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            List<Integer> eosTokenId,
            @JsonProperty("pad_token_id") Integer padTokenId,
            @JsonProperty("architectures") List<String> architectures) {
        if (ropeScaling != null) {
            throw new IllegalArgumentException("llama.rope_scaling " + ropeScaling
                    + " is not supported; supported: null (plain rotary embeddings)");
        }
        int hidden = or(hiddenSize, 4096);
        int heads = or(numAttentionHeads, 32);
        if (headDim == null && heads > 0 && hidden > 0) {
            ConfigChecks.divisible(LLAMA, "hidden_size", hidden, "num_attention_heads", heads);
        }
        return new LlamaConfig(modelType, or(vocabSize, 32000), hidden, or(intermediateSize, 11008), or(numHiddenLayers, 32),
                heads, or(numKeyValueHeads, heads), headDim != null ? headDim : heads > 0 ? hidden / heads : 0, hiddenAct,
                or(maxPositionEmbeddings, 2048), or(rmsNormEps, 1e-6), or(ropeTheta, 10000.0), or(attentionBias, false),
                or(mlpBias, false), or(attentionDropout, 0.0), or(tieWordEmbeddings, false), or(initializerRange, 0.02),
                bosTokenId, eosTokenId, padTokenId, architectures);
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
