package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Sentence classification on a BERT encoder with HF's key names ({@code bert.*},
 * {@code classifier}) but not HF's head: the last hidden state is mean-pooled over real tokens
 * (how MiniLM was trained), passed through dropout (0.1) and {@code classifier}, a
 * {@code Linear(hidden, num_labels)}. HF's {@code BertForSequenceClassification} pools the
 * {@code [CLS]} token through {@code pooler} instead; adapters record {@code pooling: mean}.
 *
 * <p>Inputs as {@link BertModel}; output: logits {@code (batch, num_labels)}.
 */
public final class BertForSequenceClassification extends ModuleBlock {

    /** The dropout before the classifier. */
    public static final double CLASSIFIER_DROPOUT = 0.1;

    private final int numLabels;

    /**
     * @param config the encoder's configuration
     * @param numLabels the number of classes, &gt;= 2
     * @throws IllegalArgumentException if {@code numLabels < 2}
     */
    public BertForSequenceClassification(BertConfig config, int numLabels) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("num_labels must be >= 2, got " + numLabels);
        }
        this.numLabels = numLabels;
        addChild("bert", new BertModel(config));
        addChild("dropout", new Dropout(CLASSIFIER_DROPOUT));
        addChild("classifier", new Linear(config.hiddenSize(), numLabels, true));
    }

    /** @return the number of classes */
    public int numLabels() {
        return numLabels;
    }

    /**
     * The sentence vector the head classifies: the encoder's last hidden state mean-pooled over the
     * real tokens of {@code attention_mask} (virtual tokens of prompt learning are not among them:
     * {@link BertModel} drops their positions), before dropout and {@code classifier}. It runs
     * through whatever blocks the encoder holds (adapters, prompt encoders) as
     * {@link #forward} does, sharing its code.
     *
     * @param store the forward pass's parameter store
     * @param inputs as {@link BertModel}
     * @param training whether dropout inside the encoder is active
     * @param params the forward pass's params (e.g. a {@link DropoutSeed}), possibly {@code null}
     * @return {@code (batch, hidden)}
     */
    public NDArray pooledOutput(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = child("bert").forward(store, inputs, training, params).head();
        return MeanPooling.pool(hidden, inputs.get(1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pooled = pooledOutput(store, inputs, training, params);
        NDList dropped = child("dropout").forward(store, new NDList(pooled), training, params);
        return child("classifier").forward(store, dropped, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), numLabels)};
    }
}
