package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Sentence embeddings as sentence-transformers computes them for MiniLM: tokenize, run the
 * encoder, mean-pool over real tokens, L2-normalise.
 */
public final class SentenceEncoder {

    private final TransformerModel model;
    private final SentenceTokenizer tokenizer;

    /**
     * @param model a {@link TaskType#FEATURE_EXTRACTION} model
     * @param tokenizer its tokenizer
     * @throws IllegalArgumentException if the model has a classification head
     */
    public SentenceEncoder(TransformerModel model, SentenceTokenizer tokenizer) {
        if (model.taskType() != TaskType.FEATURE_EXTRACTION) {
            throw new IllegalArgumentException("sentence embeddings need a FEATURE_EXTRACTION model, got " + model.taskType());
        }
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * @param sentences the sentences, embedded as one padded batch
     * @return unit-length embeddings, one {@code hidden}-long row per sentence
     */
    public float[][] embed(List<String> sentences) {
        TokenBatch batch = tokenizer.encode(sentences);
        try (NDManager scope = model.manager().newSubManager()) {
            var inputs = batch.toNDList(scope);
            NDArray hidden = model.forward(inputs, false).head();
            NDArray embeddings = MeanPooling.l2Normalize(MeanPooling.pool(hidden, inputs.get(1)));
            float[] flat = embeddings.toFloatArray();
            int width = model.hiddenSize();
            float[][] rows = new float[sentences.size()][width];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(flat, i * width, rows[i], 0, width);
            }
            return rows;
        }
    }
}
