package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Mean pooling over real tokens, as sentence-transformers computes all-MiniLM-L6-v2's sentence
 * embeddings: {@code sum_t(h_t * m_t) / max(sum_t m_t, 1e-9)}.
 */
public final class MeanPooling {

    private MeanPooling() {}

    /**
     * @param hidden token states {@code (batch, seq, hidden)}
     * @param attentionMask {@code (batch, seq)}, 1 for real tokens and 0 for padding
     * @return sentence vectors {@code (batch, hidden)}
     */
    public static NDArray pool(NDArray hidden, NDArray attentionMask) {
        NDArray mask = attentionMask.toType(DataType.FLOAT32, false).expandDims(-1);
        NDArray summed = hidden.mul(mask).sum(new int[] {1});
        NDArray counts = ScalarOps.maximum(mask.sum(new int[] {1}), 1e-9);
        return summed.div(counts);
    }

    /**
     * L2-normalises rows, as sentence-transformers' {@code Normalize} module.
     *
     * @param vectors {@code (batch, hidden)}
     * @return unit-length rows {@code (batch, hidden)}
     */
    public static NDArray l2Normalize(NDArray vectors) {
        NDArray norms = ScalarOps.maximum(vectors.square().sum(new int[] {-1}, true).sqrt(), 1e-12);
        return vectors.div(norms);
    }
}
