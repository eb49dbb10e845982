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

    private final int hiddenSize;

    /**
     * @param config the encoder's configuration
     * @param numLabels the number of classes, &gt;= 2
     * @throws IllegalArgumentException if {@code numLabels < 2}
     */
    public BertForSequenceClassification(BertConfig config, int numLabels) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("num_labels must be >= 2, got " + numLabels);
        }
        this.hiddenSize = config.hiddenSize();
        addChild("bert", new BertModel(config));
        addChild("dropout", new Dropout(CLASSIFIER_DROPOUT));
        addChild("classifier", new Linear(config.hiddenSize(), numLabels, true));
    }

    /**
     * The number of classes of the {@code classifier} in use: the model's own, or, once the head is
     * wrapped for several adapters ({@code modules_to_save}), that of the active adapter's copy, which
     * may differ per adapter.
     *
     * @return the number of classes
     */
    public int numLabels() {
        return Math.toIntExact(child("classifier").getOutputShapes(new Shape[] {new Shape(1, hiddenSize)})[0].get(1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = child("bert").forward(store, inputs, training, params).head();
        NDArray pooled = MeanPooling.pool(hidden, inputs.get(1));
        NDList dropped = child("dropout").forward(store, new NDList(pooled), training, params);
        return child("classifier").forward(store, dropped, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), numLabels())};
    }
}
