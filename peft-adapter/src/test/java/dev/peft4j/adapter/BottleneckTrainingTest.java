package dev.peft4j.adapter;

import static dev.peft4j.adapter.BottleneckTesting.adapt;
import static dev.peft4j.adapter.BottleneckTesting.batch;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Autograd;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Backward passes and manual SGD steps through bottleneck adapters: only adapter and head parameters move. */
class BottleneckTrainingTest {

    private static final String TRAINABLE = ".*(adapters\\.default\\.adapter_(down|up)\\.(weight|bias)"
            + "|classifier\\.modules_to_save\\.default\\.(weight|bias))";

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** One training-mode forward/backward pass (dropout on) of a scalar loss over the logits. */
    private static void backward(PeftModel peft, NDManager scope) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = peft.forward(batch(scope), true).head();
            NDArray loss = logits.mul(scope.create(new float[] {1f, -2f})).sum();
            collector.backward(loss);
        }
    }

    private static int adapters(BottleneckPlacement placement) {
        return placement.adaptsAttentionOutput() ? 4 : 2;
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void onlyAdaptersAndTheClassifierCopyReceiveGradients(BottleneckPlacement placement) {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, BottleneckTesting.randomInit(placement).withWidth(null, 4));
                NDManager scope = manager.newSubManager()) {
            backward(peft, scope);
            int trainable = 0;
            for (Map.Entry<String, Parameter> entry : Parameters.byName(peft.baseModel().root()).entrySet()) {
                String name = entry.getKey();
                Parameter parameter = entry.getValue();
                if (name.matches(TRAINABLE)) {
                    trainable++;
                    assertThat(parameter.requiresGradient()).as(name).isTrue();
                    try (NDArray gradient = parameter.getArray().getGradient()) {
                        assertThat(gradient.abs().sum().getFloat()).as(name).isPositive();
                    }
                } else {
                    assertThat(parameter.requiresGradient()).as(name).isFalse();
                    assertThat(parameter.getArray().hasGradient()).as(name).isFalse();
                }
            }
            assertThat(trainable).isEqualTo(4 * adapters(placement) + 2);
            Autograd.zeroGradients(peft.trainableParameters().values());
        }
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void threeSgdStepsMoveTheAdaptersButLeaveTheBaseBitIdentical(BottleneckPlacement placement) {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, BottleneckConfig.of(placement).withWidth(null, 4));
                NDManager scope = manager.newSubManager()) {
            Map<String, float[]> frozenBefore = new LinkedHashMap<>();
            Map<String, float[]> trainableBefore = new LinkedHashMap<>();
            Parameters.byName(peft.baseModel().root()).forEach((name, parameter) ->
                    (parameter.requiresGradient() ? trainableBefore : frozenBefore).put(name, parameter.getArray().toFloatArray()));
            for (int step = 0; step < 3; step++) {
                backward(peft, scope);
                try (var noGrad = Autograd.noGrad()) {
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
            assertThat(trainableBefore).hasSize(4 * adapters(placement) + 2);
            try (NDArray gradient = peft.trainableParameters().values().iterator().next().getArray().getGradient()) {
                assertThat(gradient.abs().sum().getFloat()).isZero();
            }
        }
    }
}
