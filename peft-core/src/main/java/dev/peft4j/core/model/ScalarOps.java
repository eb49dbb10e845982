package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe inside autograd.
 *
 * <p>DJL's PyTorch {@code NDArray.mul(Number)} / {@code div(Number)} / {@code maximum(Number)}
 * wrap the constant in a scalar tensor over a Java direct buffer and close it right after the op;
 * when the other operand requires a gradient, PyTorch saves that scalar for the backward pass,
 * and once the garbage collector frees the buffer the backward reads freed memory (NaN or wrong
 * gradients, depending on GC timing). These helpers make the constant a tensor PyTorch owns.
 * Use them for every constant that meets a differentiable array.
 */
public final class ScalarOps {

    private ScalarOps() {}

    /**
     * @param x any array
     * @param factor the constant
     * @return {@code x * factor}, same shape and dtype as {@code x}
     */
    public static NDArray mul(NDArray x, double factor) {
        return x.mul(scalar(x, factor));
    }

    /**
     * @param x any array
     * @param divisor the constant, non-zero
     * @return {@code x / divisor}, same shape and dtype as {@code x}
     */
    public static NDArray div(NDArray x, double divisor) {
        return x.div(scalar(x, divisor));
    }

    /**
     * @param x any array
     * @param term the constant
     * @return {@code x + term}, same shape and dtype as {@code x}
     */
    public static NDArray add(NDArray x, double term) {
        return x.add(scalar(x, term));
    }

    /**
     * @param x any array
     * @param floor the constant
     * @return {@code max(x, floor)} element-wise
     */
    public static NDArray maximum(NDArray x, double floor) {
        return x.maximum(scalar(x, floor));
    }

    /** A 0-d tensor allocated by PyTorch (not over a Java buffer) in {@code x}'s manager and dtype. */
    private static NDArray scalar(NDArray x, double value) {
        return x.getManager().full(new Shape(), (float) value, x.getDataType());
    }
}
