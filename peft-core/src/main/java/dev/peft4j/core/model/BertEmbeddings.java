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
 * seq)} int64 (zeros when absent). Output: {@code (batch, seq, hidden)}, or
 * {@code (batch, n + seq, hidden)} with a soft prompt.
 *
 * <p>Prompt learning, from the forward {@code params}, as HF transformers and PEFT compute it:
 * <ul>
 *   <li>a {@link SoftPrompt} of {@code n} virtual tokens is prepended to the word embeddings
 *       (HF PEFT passes {@code inputs_embeds = cat(prompt, word_embeddings(input_ids))}), with
 *       token type 0 (PEFT prepends zeros to {@code token_type_ids}); positions then run over all
 *       {@code n + seq} tokens, virtual ones first;</li>
 *   <li>a {@link KeyValuePrefix} of length {@code P} shifts the positions to start at {@code P}
 *       (HF's {@code past_key_values_length}).</li>
 * </ul>
 * Without either, or with length 0, the computation is unchanged.
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

    /**
     * @throws IllegalArgumentException if the positions needed ({@code P + n + seq}) exceed
     *     {@code max_position_embeddings}, or a soft prompt's batch or width does not fit
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray inputIds = inputs.get(0);
        long seq = inputIds.getShape().get(1);
        SoftPrompt prompt = SoftPrompt.from(params);
        KeyValuePrefix prefix = KeyValuePrefix.from(params);
        int virtual = prompt == null ? 0 : prompt.length();
        int past = prefix == null ? 0 : prefix.length();
        checkPositions(seq, virtual, past);
        NDManager manager = inputIds.getManager();
        NDArray tokenTypes = inputs.size() > 1 ? inputs.get(1) : manager.zeros(inputIds.getShape(), DataType.INT64);
        NDArray words = child("word_embeddings").forward(store, new NDList(inputIds), training).head();
        if (virtual > 0) {
            words = prepend(prompt.embeddings(), words);
            tokenTypes = manager.zeros(new Shape(inputIds.getShape().get(0), virtual), tokenTypes.getDataType()).concat(tokenTypes, 1);
        }
        NDArray positions = manager.arange((long) past, past + virtual + seq, 1L, DataType.INT64).expandDims(0);
        NDArray position = child("position_embeddings").forward(store, new NDList(positions), training).head();
        NDArray types = child("token_type_embeddings").forward(store, new NDList(tokenTypes), training).head();
        NDList summed = new NDList(words.add(position).add(types));
        NDList normed = child("LayerNorm").forward(store, summed, training, params);
        return child("dropout").forward(store, normed, training, params);
    }

    private void checkPositions(long seq, int virtual, int past) {
        long needed = past + virtual + seq;
        if (needed <= maxPositions) {
            return;
        }
        if (virtual == 0 && past == 0) {
            throw new IllegalArgumentException("sequence of " + seq + " tokens is longer than max_position_embeddings " + maxPositions);
        }
        throw new IllegalArgumentException("sequence of " + seq + " tokens after " + (past + virtual) + " virtual tokens needs "
                + needed + " positions, more than max_position_embeddings " + maxPositions);
    }

    private NDArray prepend(NDArray prompt, NDArray words) {
        Shape shape = prompt.getShape();
        if (shape.get(0) != words.getShape().get(0) || shape.get(2) != hiddenSize) {
            throw new IllegalArgumentException("soft prompt has shape " + shape + ", expected (" + words.getShape().get(0)
                    + ", num_virtual_tokens, " + hiddenSize + ")");
        }
        NDArray typed = prompt.getDataType() == words.getDataType() ? prompt : prompt.toType(words.getDataType(), false);
        return typed.concat(words, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(hiddenSize)};
    }
}
