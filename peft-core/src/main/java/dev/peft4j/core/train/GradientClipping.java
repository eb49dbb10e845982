package dev.peft4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Collection;

/**
 * Gradient-norm clipping over all parameters at once, PyTorch's
 * {@code torch.nn.utils.clip_grad_norm_(parameters, max_norm)} as HF's {@code Trainer} calls it:
 * the global norm is the L2 norm of the per-parameter L2 norms, and every gradient is multiplied
 * by {@code min(1, max_norm / (norm + 1e-6))}.
 */
public final class GradientClipping {

    /** PyTorch's guard against division by zero. */
    public static final double EPSILON = 1e-6;

    private GradientClipping() {}

    /**
     * The global L2 norm of the parameters' gradients (parameters without one count as zero).
     *
     * @param parameters trainable parameters
     * @return the norm, &gt;= 0 (NaN or infinite if a gradient is)
     */
    public static double globalNorm(Collection<Parameter> parameters) {
        double sumOfSquares = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (Parameter parameter : parameters) {
                try (NDArray gradient = parameter.getArray().getGradient(); NDArray norm = gradient.norm()) {
                    double value = norm.getFloat();
                    sumOfSquares += value * value;
                }
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /**
     * Scales the gradients in place so their global norm is at most {@code maxNorm}.
     *
     * @param parameters trainable parameters
     * @param maxNorm the largest global norm allowed; {@code <= 0} or infinite disables clipping
     *     (HF: {@code max_grad_norm} 0 or {@code None})
     * @return the global norm before clipping
     */
    public static double clip(Collection<Parameter> parameters, double maxNorm) {
        double norm = globalNorm(parameters);
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            return norm;
        }
        double coefficient = maxNorm / (norm + EPSILON);
        if (coefficient < 1) {
            try (Autograd.NoGrad ignored = Autograd.noGrad()) {
                for (Parameter parameter : parameters) {
                    try (NDArray gradient = parameter.getArray().getGradient()) {
                        gradient.muli(coefficient);
                    }
                }
            }
        }
        return norm;
    }
}
