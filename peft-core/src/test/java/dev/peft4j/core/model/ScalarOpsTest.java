package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * Constants meeting differentiable arrays must survive garbage collection between forward and
 * backward (DJL's {@code mul(Number)} does not guarantee that: see {@link ScalarOps}).
 */
class ScalarOpsTest {

    @Test
    void gradientsThroughConstantsSurviveGarbageCollection() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, -2f, 0.5f});
            x.setRequiresGradient(true);
            for (int round = 0; round < 5; round++) {
                try (var collector = Engine.getInstance().newGradientCollector(); NDManager scope = manager.newSubManager()) {
                    NDArray input = x.mul(scope.ones(x.getShape()));
                    NDArray y = ScalarOps.maximum(ScalarOps.div(ScalarOps.mul(input, 6.0), 2.0), -1.0).sum();
                    for (int i = 0; i < 20; i++) {
                        byte[] garbage = new byte[1 << 20];
                        garbage[i] = 1;
                        System.gc();
                    }
                    collector.backward(y);
                }
                try (NDArray gradient = x.getGradient()) {
                    assertThat(gradient.toFloatArray()).containsExactly(3f, 0f, 3f);
                    gradient.subi(gradient);
                }
            }
        }
    }
}
