package dev.peft4j.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Autograd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gradient and frozen-base checks that every method module's tests share (part of the test-jar):
 * a padded two-sentence TinyBert batch, one backward pass, and three manual SGD steps.
 */
public final class GradientChecks {

    private GradientChecks() {}

    /** @return two sequences of TinyBert token ids with their attention mask, the second padded */
    public static NDList paddedPair(NDManager scope) {
        return new NDList(
                scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}),
                scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}));
    }

    /**
     * One training-mode forward/backward pass (dropout on) of a scalar loss over the
     * {@code (2, 2)} logits of {@link #paddedPair}; gradients stay on the parameters.
     */
    public static void backward(PeftModel peft, NDManager scope) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = peft.forward(paddedPair(scope), true).head();
            collector.backward(logits.mul(scope.create(new float[] {1f, -2f})).sum());
        }
    }

    /**
     * After {@link #backward}: parameters whose path matches {@code trainable} require and
     * received a non-zero gradient; all others require none and have none.
     *
     * @return the number of matching parameters
     */
    public static int assertOnlyTheseGetGradients(PeftModel peft, String trainable) {
        int count = 0;
        for (Map.Entry<String, Parameter> entry : Parameters.byName(peft.baseModel().root()).entrySet()) {
            String name = entry.getKey();
            Parameter parameter = entry.getValue();
            if (name.matches(trainable)) {
                count++;
                assertThat(parameter.requiresGradient()).as(name).isTrue();
                try (NDArray gradient = parameter.getArray().getGradient()) {
                    assertThat(gradient.abs().sum().getFloat()).as(name).isPositive();
                }
            } else {
                assertThat(parameter.requiresGradient()).as(name).isFalse();
                assertThat(parameter.getArray().hasGradient()).as(name).isFalse();
            }
        }
        return count;
    }

    /**
     * Three SGD steps (lr 0.1, no-grad updates, gradients zeroed after each); asserts the frozen
     * parameters are bit-identical, every trainable tensor moved, and gradients end at zero.
     *
     * @return the number of trainable tensors
     */
    public static int assertThreeSgdStepsMoveOnlyTrainables(PeftModel peft, NDManager scope) {
        Map<String, float[]> frozenBefore = new LinkedHashMap<>();
        Map<String, float[]> trainableBefore = new LinkedHashMap<>();
        Parameters.byName(peft.baseModel().root()).forEach((name, parameter) ->
                (parameter.requiresGradient() ? trainableBefore : frozenBefore).put(name, parameter.getArray().toFloatArray()));
        for (int step = 0; step < 3; step++) {
            backward(peft, scope);
            try (var ignored = Autograd.noGrad()) {
                for (Parameter parameter : peft.trainableParameters().values()) {
                    NDArray array = parameter.getArray();
                    try (NDArray gradient = array.getGradient(); NDArray update = ScalarOps.mul(gradient, 0.1)) {
                        array.subi(update);
                    }
                }
            }
            Autograd.zeroGradients(peft.trainableParameters().values());
        }
        Parameters.byName(peft.baseModel().root()).forEach((name, parameter) -> {
            float[] now = parameter.getArray().toFloatArray();
            if (frozenBefore.containsKey(name)) {
                assertThat(now).as(name).containsExactly(frozenBefore.get(name));
            } else {
                assertThat(now).as(name).isNotEqualTo(trainableBefore.get(name));
            }
        });
        assertThat(trainableBefore).isNotEmpty();
        try (NDArray gradient = peft.trainableParameters().values().iterator().next().getArray().getGradient()) {
            assertThat(gradient.abs().sum().getFloat()).isZero();
        }
        return trainableBefore.size();
    }
}
