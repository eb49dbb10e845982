package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
 */
public final class BertModel extends ModuleBlock {

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
        NDArray inputIds = inputs.get(0);
        NDArray attentionMask = inputs.get(1);
        NDList embeddingInputs = inputs.size() > 2 ? new NDList(inputIds, inputs.get(2)) : new NDList(inputIds);
        NDArray hidden = child("embeddings").forward(store, embeddingInputs, training, params).head();
        return child("encoder").forward(store, new NDList(hidden, additiveMask(attentionMask)), training, params);
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
