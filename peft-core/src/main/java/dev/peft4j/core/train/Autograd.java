package dev.peft4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;

/**
 * The two autograd controls DJL's API lacks, on the PyTorch engine (the only engine peft4j runs
 * on): a no-grad scope for in-place parameter updates (PyTorch refuses in-place writes to a leaf
 * that requires a gradient while recording, and its grad mode is per thread and on by default),
 * and zeroing gradients in place, which DJL's PyTorch {@code GradientCollector} no longer does
 * (see ARCHITECTURE.md: zero gradients after manual updates).
 */
public final class Autograd {

    private Autograd() {}

    /**
     * Turns gradient recording off on this thread until the scope closes, then restores the
     * previous mode, as PyTorch's {@code torch.no_grad()}.
     *
     * <pre>{@code try (var ignored = Autograd.noGrad()) { parameter.getArray().subi(update); } }</pre>
     *
     * @return the scope to close on the same thread
     */
    public static NoGrad noGrad() {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return new NoGrad(previous);
    }

    /**
     * Sets the gradients of the given parameters to zero in place ({@code Tensor.grad.zero_()});
     * parameters without a gradient yet are left alone.
     *
     * @param parameters initialized parameters on the PyTorch engine
     */
    public static void zeroGradients(Collection<Parameter> parameters) {
        for (Parameter parameter : parameters) {
            zeroGradient(parameter.getArray());
        }
    }

    /**
     * @param array an array on the PyTorch engine
     */
    public static void zeroGradient(NDArray array) {
        JniUtils.zeroGrad((PtNDArray) array);
    }

    /** A no-grad scope; closing restores the grad mode found on entry. */
    public static final class NoGrad implements AutoCloseable {

        private final boolean previous;

        private NoGrad(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }
}
