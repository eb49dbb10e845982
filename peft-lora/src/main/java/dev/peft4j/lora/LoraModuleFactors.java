package dev.peft4j.lora;

import org.apache.commons.math3.linear.RealMatrix;

/**
 * One source adapter's LoRA factors at one module, in double precision.
 *
 * @param adapter the source adapter's name
 * @param a {@code A (r, in)}
 * @param b {@code B (out, r)}
 * @param scaling the source's scaling at this module ({@code lora_alpha / r} or {@code lora_alpha / sqrt(r)})
 * @param weight the source's weight {@code w}
 */
record LoraModuleFactors(String adapter, RealMatrix a, RealMatrix b, double scaling, double weight) {

    /** @return the rank {@code r} */
    int rank() {
        return a.getRowDimension();
    }

    /** @return {@code w * s}, the factor HF PEFT applies to this source */
    double weightedScaling() {
        return weight * scaling;
    }

    /** @return the source's weighted update {@code w s B A (out, in)} */
    RealMatrix weightedDelta() {
        return b.multiply(a).scalarMultiply(weightedScaling());
    }
}
