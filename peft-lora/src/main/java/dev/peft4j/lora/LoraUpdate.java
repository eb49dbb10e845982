package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import dev.peft4j.core.model.Dropout;
import dev.peft4j.core.model.Linear;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;

/**
 * One adapter's LoRA update inside a {@link LoraLayer} (HF's per-adapter entries of
 * {@code lora_A}, {@code lora_B}, {@code lora_dropout}, {@code scaling}, {@code r},
 * {@code lora_alpha} and {@code lora_magnitude_vector}): {@code A (r, in)}, {@code B (out, r)},
 * its dropout, {@code scaling = alpha / r} ({@code alpha / sqrt(r)} with rsLoRA) and, with DoRA,
 * {@code m (out)}.
 */
final class LoraUpdate {

    private final String name;
    private final int rank;
    private final double alpha;
    private final double scaling;
    private final Dropout dropout;
    private final Linear loraA;
    private final Linear loraB;
    private final Parameter magnitude;

    LoraUpdate(String name, LoraLayerBuilder spec, int in, int out, Parameter magnitude) {
        this.name = name;
        this.rank = spec.rank;
        this.alpha = spec.alpha;
        this.scaling = spec.useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
        this.dropout = new Dropout(spec.dropout);
        this.loraA = new Linear(in, rank, false);
        this.loraB = new Linear(rank, out, false);
        this.magnitude = magnitude;
        loraA.weight().setInitializer(initializerOfA(spec.init, in, rank));
        loraB.weight().setInitializer(initializerOfB(spec.init, rank));
    }

    private static Initializer initializerOfA(InitLoraWeights init, int in, int rank) {
        return switch (init) {
            case KAIMING, RANDOM -> new UniformInitializer((float) (1 / Math.sqrt(in)));
            case GAUSSIAN -> new NormalInitializer((float) (1.0 / rank));
        };
    }

    private static Initializer initializerOfB(InitLoraWeights init, int rank) {
        return switch (init) {
            case KAIMING, GAUSSIAN -> Initializer.ZEROS;
            case RANDOM -> new UniformInitializer((float) (1 / Math.sqrt(rank)));
        };
    }

    String name() {
        return name;
    }

    int rank() {
        return rank;
    }

    double alpha() {
        return alpha;
    }

    double scaling() {
        return scaling;
    }

    Dropout dropout() {
        return dropout;
    }

    Linear loraA() {
        return loraA;
    }

    Linear loraB() {
        return loraB;
    }

    /** @return DoRA's {@code m}, or {@code null} for plain LoRA */
    Parameter magnitude() {
        return magnitude;
    }

    /**
     * The change merging makes to the unmerged weight {@code W}: {@code scaling * B A}, or DoRA's
     * {@code (m / n) * (W + scaling * B A) - W} ({@link LoraMagnitudeVector#mergedChange}).
     *
     * @param unmerged {@code W (out, in)} without any adapter merged
     * @return {@code (out, in)}, detached: close it
     */
    NDArray mergedChange(NDArray unmerged) {
        NDArray a = loraA.weight().getArray();
        NDArray b = loraB.weight().getArray();
        if (magnitude != null) {
            return LoraMagnitudeVector.mergedChange(magnitude, unmerged, a, b, scaling);
        }
        // detached operands: DJL's mul(Number) is safe here (see ScalarOps)
        try (NDArray aD = a.stopGradient(); NDArray bD = b.stopGradient(); NDArray product = bD.matMul(aD)) {
            return product.mul(scaling);
        }
    }
}
