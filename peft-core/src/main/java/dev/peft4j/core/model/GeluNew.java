package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;

/**
 * GELU with the tanh approximation (Hendrycks and Gimpel 2016, section 2), HF's {@code gelu_new}
 * ({@code NewGELUActivation}), GPT-2's activation:
 * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. Safe inside autograd ({@link ScalarOps}).
 */
public final class GeluNew {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private GeluNew() {}

    /**
     * @param x any fp32 array
     * @return {@code gelu_new(x)}, element-wise, same shape
     */
    public static NDArray apply(NDArray x) {
        NDArray cube = x.mul(x).mul(x);
        NDArray inner = ScalarOps.mul(x.add(ScalarOps.mul(cube, 0.044715)), SQRT_2_OVER_PI);
        return ScalarOps.mul(x, 0.5).mul(ScalarOps.add(inner.tanh(), 1.0));
    }
}
