package dev.peft4j.core.train.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.model.ScalarOps;

/**
 * The causal language-modelling loss of HF transformers' {@code ForCausalLMLoss}: the logits at
 * position {@code t} predict the label at {@code t + 1}, so {@code logits[:, :-1]} is scored
 * against {@code labels[:, 1:]} with softmax cross-entropy; positions whose label is
 * {@link #IGNORE_INDEX} ({@code -100}, PyTorch's {@code ignore_index}) are not counted and get no
 * gradient; the mean is over counted tokens ({@code reduction="mean"}), not over rows.
 *
 * <p>For sums over several batches (gradient accumulation, perplexity over a corpus) use
 * {@link #sum} and {@link #countedTokens} and divide once: the mean of batch means weights short
 * batches wrongly.
 */
public final class CausalLmLoss {

    /** Labels equal to this are ignored (PyTorch's and HF's {@code -100}). */
    public static final long IGNORE_INDEX = -100;

    private CausalLmLoss() {}

    /**
     * Negative log-likelihood of every shifted position.
     *
     * @param logits {@code (batch, seq, vocab)} fp32, differentiable
     * @param labels {@code (batch, seq)} int64: token ids in {@code [0, vocab)} or {@code -100}
     * @return {@code (batch, seq - 1)} fp32 NLL in nats of predicting {@code labels[:, t + 1]}
     *     from {@code logits[:, t]}; exactly 0 (and no gradient) where that label is {@code -100}
     * @throws IllegalArgumentException if the shapes do not fit ({@code logits must be (batch, seq,
     *     vocab) and labels (batch, seq), got (2, 5, 7) and (2, 4)}) or a label is outside
     *     {@code [0, vocab)} and not {@code -100}
     */
    public static NDArray perToken(NDArray logits, NDArray labels) {
        long vocab = requireShapes(logits, labels);
        requireLabelRange(labels, vocab);
        long seq = logits.getShape().get(1);
        NDArray shiftedLogits = logits.get(":, :{}, :", seq - 1);
        NDArray shiftedLabels = labels.get(":, 1:").toType(DataType.INT64, false);
        NDArray counted = shiftedLabels.neq(IGNORE_INDEX);
        // ignored positions gather token 0 and are then multiplied by 0: no loss, no gradient
        NDArray index = shiftedLabels.mul(counted.toType(DataType.INT64, false)).expandDims(2);
        NDArray logProbabilities = shiftedLogits.logSoftmax(2).gather(index, 2).squeeze(2);
        return logProbabilities.neg().mul(counted.toType(logits.getDataType(), false));
    }

    /**
     * @param logits {@code (batch, seq, vocab)} fp32
     * @param labels {@code (batch, seq)} int64 with {@code -100} for ignored positions
     * @return the summed NLL over counted positions (nats), a differentiable scalar
     * @throws IllegalArgumentException as {@link #perToken}
     */
    public static NDArray sum(NDArray logits, NDArray labels) {
        return perToken(logits, labels).sum();
    }

    /**
     * HF's loss: the summed NLL divided by the number of counted tokens.
     *
     * @param logits {@code (batch, seq, vocab)} fp32
     * @param labels {@code (batch, seq)} int64 with {@code -100} for ignored positions
     * @return the mean NLL per counted token (nats), a differentiable scalar
     * @throws IllegalArgumentException as {@link #perToken}, or {@code no label is counted: every
     *     shifted label is -100 (a row needs two or more tokens)} (HF returns NaN there)
     */
    public static NDArray mean(NDArray logits, NDArray labels) {
        NDArray sum = sum(logits, labels);
        long counted = countedTokens(labels);
        if (counted == 0) {
            throw new IllegalArgumentException("no label is counted: every shifted label is -100 (a row needs two or more tokens)");
        }
        return ScalarOps.div(sum, counted);
    }

    /**
     * @param labels {@code (batch, seq)} integer labels
     * @return how many of {@code labels[:, 1:]} are not {@code -100}: the tokens the loss counts
     */
    public static long countedTokens(NDArray labels) {
        if (labels.getShape().dimension() != 2) {
            throw new IllegalArgumentException("labels must be (batch, seq), got " + labels.getShape());
        }
        return countedTokens(labels.toType(DataType.INT64, false).toLongArray(), labels.getShape().get(1));
    }

    /**
     * @param labels {@code (batch, seq)} labels on the host
     * @return how many labels after each row's first are not {@code -100}
     */
    public static long countedTokens(long[][] labels) {
        long count = 0;
        for (long[] row : labels) {
            for (int t = 1; t < row.length; t++) {
                if (row[t] != IGNORE_INDEX) {
                    count++;
                }
            }
        }
        return count;
    }

    private static long countedTokens(long[] flat, long seq) {
        long count = 0;
        for (int i = 0; i < flat.length; i++) {
            if (i % seq != 0 && flat[i] != IGNORE_INDEX) {
                count++;
            }
        }
        return count;
    }

    private static long requireShapes(NDArray logits, NDArray labels) {
        Shape l = logits.getShape();
        Shape y = labels.getShape();
        if (l.dimension() != 3 || y.dimension() != 2 || l.get(0) != y.get(0) || l.get(1) != y.get(1) || l.get(2) < 1) {
            throw new IllegalArgumentException("logits must be (batch, seq, vocab) and labels (batch, seq), got "
                    + l + " and " + y);
        }
        if (l.get(1) < 2) {
            throw new IllegalArgumentException("a causal-LM loss needs seq >= 2 (one input and one target), got seq " + l.get(1));
        }
        return l.get(2);
    }

    private static void requireLabelRange(NDArray labels, long vocab) {
        long[] flat = labels.toType(DataType.INT64, false).toLongArray();
        long seq = labels.getShape().get(1);
        for (int i = 0; i < flat.length; i++) {
            long label = flat[i];
            if (label != IGNORE_INDEX && (label < 0 || label >= vocab)) {
                throw new IllegalArgumentException("label " + label + " at (" + i / seq + ", " + i % seq + ") is outside [0, "
                        + vocab + ") and not the ignore index -100");
            }
        }
    }
}
