package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BERT's input embeddings ({@code embeddings.*}): word + absolute position + token type, then
 * LayerNorm and dropout, as HF's {@code BertEmbeddings}.
 *
 * <p>Inputs: {@code input_ids (batch, seq)} int64 and optionally {@code token_type_ids (batch,
 * seq)} int64 (zeros when absent). Output: {@code (batch, seq, hidden)}.
 */
public final class BertEmbeddings extends ModuleBlock {

    private final int hiddenSize;
    private final int maxPositions;

    /** @param config the encoder's configuration */
    public BertEmbeddings(BertConfig config) {
        hiddenSize = config.hiddenSize();
        maxPositions = config.maxPositionEmbeddings();
        addChild("word_embeddings", new Embedding(config.vocabSize(), hiddenSize));
        addChild("position_embeddings", new Embedding(config.maxPositionEmbeddings(), hiddenSize));
        addChild("token_type_embeddings", new Embedding(config.typeVocabSize(), hiddenSize));
        addChild("LayerNorm", new LayerNorm(hiddenSize, (float) config.layerNormEps()));
        addChild("dropout", new Dropout(config.hiddenDropoutProb()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray inputIds = inputs.get(0);
        long seq = inputIds.getShape().get(1);
        if (seq > maxPositions) {
            throw new IllegalArgumentException("sequence of " + seq + " tokens is longer than max_position_embeddings " + maxPositions);
        }
        NDManager manager = inputIds.getManager();
        NDArray tokenTypes = inputs.size() > 1 ? inputs.get(1) : manager.zeros(inputIds.getShape(), DataType.INT64);
        NDArray positions = manager.arange(0L, seq, 1L, DataType.INT64).expandDims(0);
        NDArray words = child("word_embeddings").forward(store, new NDList(inputIds), training).head();
        NDArray position = child("position_embeddings").forward(store, new NDList(positions), training).head();
        NDArray types = child("token_type_embeddings").forward(store, new NDList(tokenTypes), training).head();
        NDList summed = new NDList(words.add(position).add(types));
        NDList normed = child("LayerNorm").forward(store, summed, training, params);
        return child("dropout").forward(store, normed, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(hiddenSize)};
    }
}
