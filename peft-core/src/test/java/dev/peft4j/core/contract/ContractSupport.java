package dev.peft4j.core.contract;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Autograd;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Parameter snapshots and seeded perturbations for {@link PeftMethodContractTest}. */
final class ContractSupport {

    private ContractSupport() {}

    /** @return every parameter's values by dotted path, frozen or not */
    static Map<String, float[]> snapshot(PeftModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Parameters.byName(model.baseModel().root()).forEach((name, parameter) -> out.put(name, parameter.getArray().toFloatArray()));
        return out;
    }

    /**
     * Adds seeded uniform noise in {@code [-scale, scale]} to every trainable parameter, so that an
     * adapter which starts as a no-op (LoRA's {@code B = 0}) changes the outputs.
     */
    static void perturbTrainable(PeftModel model, long seed, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        try (var ignored = Autograd.noGrad()) {
            for (Parameter parameter : model.trainableParameters().values()) {
                NDArray array = parameter.getArray();
                float[] values = array.toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    values[i] += (float) random.nextDouble(-scale, scale);
                }
                array.set(values);
            }
        }
    }

    /** @return the largest absolute difference, element by element */
    static double maxAbsDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    /** @return the sum of absolute values */
    static double absSum(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += Math.abs(v);
        }
        return sum;
    }
}
