package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A BERT-family encoder with HF's {@code BertModel} module paths ({@code embeddings.*},
 * {@code encoder.layer.N.*}); HF's optional {@code pooler} is not modelled (sentence embeddings
 * and our classification head use mean pooling).
 *
 * <p>Inputs: {@code input_ids (batch, seq)} int64, {@code attention_mask (batch, seq)} int64
 * (1 real token, 0 padding) and optionally {@code token_type_ids (batch, seq)} int64. Output: the
 * last hidden state {@code (batch, seq, hidden)}.
 *
 * <p>Prompt learning: a {@link PromptEncoder} attached with {@link #attachPromptEncoder} (child
 * {@code prompt_encoder.<adapter>}) runs once at the start of every forward pass while its adapter
 * is active (several may be attached, one per adapter, as HF PEFT's {@code PeftModel}); its
 * {@link SoftPrompt} and {@link KeyValuePrefix} reach the sub-blocks through the forward
 * {@code params} (callers may also put them there themselves). With a soft prompt of {@code n}
 * virtual tokens the attention mask is extended with {@code n} ones in front (as HF PEFT does) and
 * the output drops the virtual positions, so it stays {@code (batch, seq, hidden)}.
 */
public final class BertModel extends PromptHostBlock {

    /** The child holding attached prompt encoders, HF PEFT's name ({@link PromptHost#PROMPT_ENCODER}). */
    public static final String PROMPT_ENCODER = PromptHost.PROMPT_ENCODER;

    private final BertConfig config;

    /** @param config the encoder's configuration */
    public BertModel(BertConfig config) {
        this.config = config;
        addChild("embeddings", new BertEmbeddings(config));
        addChild("encoder", new BertEncoder(config));
    }

    /** @return the configuration */
    public BertConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        PairList<String, Object> forwardParams = withPromptInputs(store, inputs, training, params);
        NDArray inputIds = inputs.get(0);
        NDArray attentionMask = inputs.get(1);
        SoftPrompt prompt = SoftPrompt.from(forwardParams);
        int virtual = prompt == null ? 0 : prompt.length();
        KeyValuePrefix prefix = KeyValuePrefix.from(forwardParams);
        if (prefix != null && prefix.length() > 0 && prefix.numLayers() != config.numHiddenLayers()) {
            throw new IllegalArgumentException("key_value_prefix covers " + prefix.numLayers() + " layers, but the model has "
                    + config.numHiddenLayers());
        }
        if (virtual > 0) {
            NDArray ones = attentionMask.getManager().ones(new Shape(attentionMask.getShape().get(0), virtual), attentionMask.getDataType());
            attentionMask = ones.concat(attentionMask, 1);
        }
        NDList embeddingInputs = inputs.size() > 2 ? new NDList(inputIds, inputs.get(2)) : new NDList(inputIds);
        NDArray hidden = child("embeddings").forward(store, embeddingInputs, training, forwardParams).head();
        NDList out = child("encoder").forward(store, new NDList(hidden, additiveMask(attentionMask)), training, forwardParams);
        return virtual == 0 ? out : new NDList(out.head().get(new NDIndex(":, {}:, :", virtual)));
    }

    /**
     * Turns a {@code (batch, seq)} 0/1 padding mask into the additive {@code (batch, 1, 1, seq)}
     * mask the attention layers add to their scores: 0 for real tokens, the lowest fp32 value for
     * padding (as HF transformers).
     *
     * @param attentionMask 1 for real tokens, 0 for padding
     * @return the additive fp32 mask
     */
    public static NDArray additiveMask(NDArray attentionMask) {
        NDArray real = attentionMask.toType(DataType.FLOAT32, false);
        return real.neg().add(1f).mul(-Float.MAX_VALUE).expandDims(1).expandDims(1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }
}
