package dev.peft4j.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The activation {@code f} between the down- and up-projection of a bottleneck adapter,
 * AdapterHub's {@code non_linearity} (resolved there through HF transformers' {@code ACT2FN}).
 * Each is element-wise and shape preserving; none uses a scalar constant, so all are safe in
 * autograd.
 */
public enum BottleneckNonLinearity {
    /** {@code max(x, 0)}. */
    RELU("relu"),
    /** {@code x * sigmoid(x)}, also read from JSON {@code silu} (the same function). */
    SWISH("swish"),
    /** Exact (erf) GELU, {@code x * Phi(x)}, as HF's {@code gelu}. */
    GELU("gelu"),
    /** {@code tanh(x)}. */
    TANH("tanh");

    private final String json;

    BottleneckNonLinearity(String json) {
        this.json = json;
    }

    /** @return the JSON spelling */
    @JsonValue
    public String json() {
        return json;
    }

    /**
     * @param x any fp32 array, e.g. the down-projection {@code (batch, seq, m)}
     * @return {@code f(x)}, same shape
     */
    public NDArray apply(NDArray x) {
        return switch (this) {
            case RELU -> Activation.relu(x);
            case SWISH -> x.mul(Activation.sigmoid(x));
            case GELU -> Activation.gelu(x);
            case TANH -> Activation.tanh(x);
        };
    }

    /**
     * @param json {@code relu}, {@code swish}, {@code silu}, {@code gelu} or {@code tanh}
     * @return the activation
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    @JsonCreator
    public static BottleneckNonLinearity fromJson(String json) {
        if ("silu".equals(json)) {
            return SWISH;
        }
        for (BottleneckNonLinearity f : values()) {
            if (f.json.equals(json)) {
                return f;
            }
        }
        throw new IllegalArgumentException("bottleneck.non_linearity must be one of [relu, swish, silu, gelu, tanh], got '"
                + json + "'");
    }
}
