package dev.peft4j.core.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The hyper-parameters of a BERT-family encoder, with the field names and defaults of HF
 * transformers' {@code BertConfig} ({@code config.json}).
 *
 * <p>Only post-LayerNorm BERT with absolute position embeddings is modelled. Keys of an HF
 * {@code config.json} that do not change the computation ({@code architectures},
 * {@code transformers_version}, ...) are ignored on read.
 *
 * @param modelType HF {@code model_type}, {@code "bert"}
 * @param vocabSize number of WordPiece tokens
 * @param hiddenSize width {@code d} of every hidden state
 * @param numHiddenLayers number of {@code encoder.layer.N} blocks
 * @param numAttentionHeads heads per attention layer; {@code hiddenSize} must divide by it
 * @param intermediateSize width of the feed-forward block
 * @param hiddenAct activation of the feed-forward block; {@code "gelu"} (exact, erf-based)
 * @param hiddenDropoutProb dropout after embeddings and each sub-layer (training only)
 * @param attentionProbsDropoutProb dropout on attention probabilities (training only)
 * @param maxPositionEmbeddings number of learned positions (the longest input in tokens)
 * @param typeVocabSize number of token types (segments)
 * @param layerNormEps epsilon of every LayerNorm
 * @param padTokenId id of {@code [PAD]}
 * @param architectures HF {@code architectures}, kept so a written {@code config.json} stays HF-readable
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BertConfig(
        @JsonProperty("model_type") String modelType,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("hidden_dropout_prob") double hiddenDropoutProb,
        @JsonProperty("attention_probs_dropout_prob") double attentionProbsDropoutProb,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("type_vocab_size") int typeVocabSize,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("pad_token_id") int padTokenId,
        @JsonProperty("architectures") List<String> architectures) {

    /** The only activation implemented: exact (erf) GELU, HF's {@code "gelu"}. */
    public static final String GELU = "gelu";

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the key, the bad value and what is allowed
     */
    public BertConfig {
        modelType = modelType == null ? "bert" : modelType;
        hiddenAct = hiddenAct == null ? GELU : hiddenAct;
        architectures = architectures == null ? List.of("BertModel") : List.copyOf(architectures);
        requirePositive("vocab_size", vocabSize);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("max_position_embeddings", maxPositionEmbeddings);
        requirePositive("type_vocab_size", typeVocabSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("bert.hidden_size (" + hiddenSize
                    + ") must be divisible by num_attention_heads (" + numAttentionHeads + ")");
        }
        if (!GELU.equals(hiddenAct)) {
            throw new IllegalArgumentException(
                    "bert.hidden_act '" + hiddenAct + "' is not supported; supported: [" + GELU + "]");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("bert.layer_norm_eps must be > 0, got " + layerNormEps);
        }
        requireProbability("hidden_dropout_prob", hiddenDropoutProb);
        requireProbability("attention_probs_dropout_prob", attentionProbsDropoutProb);
    }

    /** @return the width of one attention head, {@code hiddenSize / numAttentionHeads} */
    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("bert." + key + " must be > 0, got " + value);
        }
    }

    private static void requireProbability(String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException("bert." + key + " must be in [0, 1), got " + value);
        }
    }
}
