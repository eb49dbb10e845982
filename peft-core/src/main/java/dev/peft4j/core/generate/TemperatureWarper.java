package dev.peft4j.core.generate;

/**
 * Divides the scores by {@code temperature}, HF's {@code TemperatureLogitsWarper}: below 1 the
 * distribution {@code softmax(scores / temperature)} sharpens, above 1 it flattens.
 *
 * @param temperature the divisor, finite and &gt; 0
 */
public record TemperatureWarper(double temperature) implements LogitsWarper {

    /**
     * @throws IllegalArgumentException {@code temperature must be finite and > 0, got 0.0}
     *     (HF also refuses 0: greedy decoding is {@code do_sample=false})
     */
    public TemperatureWarper {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
    }

    @Override
    public void warp(double[] scores) {
        for (int i = 0; i < scores.length; i++) {
            scores[i] /= temperature;
        }
    }
}
