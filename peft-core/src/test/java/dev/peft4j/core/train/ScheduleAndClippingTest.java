package dev.peft4j.core.train;

import static dev.peft4j.core.train.TrainTestSupport.backward;
import static dev.peft4j.core.train.TrainTestSupport.gradient;
import static dev.peft4j.core.train.TrainTestSupport.parameter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleAndClippingTest {

    @Test
    void linearWarmupThenLinearDecayToZero() {
        LinearSchedule schedule = LinearSchedule.withWarmupRatio(0.1, 0.2, 10);
        assertThat(schedule.warmupSteps()).isEqualTo(2);
        assertThat(schedule.learningRate(0)).isEqualTo(0.0);
        assertThat(schedule.learningRate(1)).isEqualTo(0.05);
        assertThat(schedule.learningRate(2)).isEqualTo(0.1);
        assertThat(schedule.learningRate(3)).isEqualTo(0.1 * (7.0 / 8));
        assertThat(schedule.learningRate(6)).isEqualTo(0.05);
        assertThat(schedule.learningRate(9)).isEqualTo(0.1 * (1.0 / 8));
        assertThat(schedule.learningRate(10)).isEqualTo(0.0);
        assertThat(schedule.learningRate(12)).isEqualTo(0.0);
    }

    @Test
    void warmupStepsRoundUpAsHf() {
        assertThat(LinearSchedule.withWarmupRatio(1e-3, 0.25, 10).warmupSteps()).isEqualTo(3);
        assertThat(LinearSchedule.withWarmupRatio(1e-3, 0.0, 10).learningRate(0)).isEqualTo(1e-3);
        assertThat(LinearSchedule.withWarmupRatio(1e-3, 1.0, 4).learningRate(3)).isEqualTo(0.75e-3);
        assertThatThrownBy(() -> LinearSchedule.withWarmupRatio(1e-3, 1.5, 4)).hasMessage("warmup_ratio must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new LinearSchedule(1e-3, 0, 0)).hasMessage("schedule total steps must be > 0, got 0");
    }

    @Test
    void clippingScalesByMaxNormOverGlobalNormAndReturnsThePreClipNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter a = parameter(manager, "a", 0f, 0f);
            Parameter b = parameter(manager, "b", 0f);
            List<Parameter> parameters = List.of(a, b);
            // gradients (3, 4) and (12): global norm sqrt(9 + 16 + 144) = 13
            backward(() -> a.getArray().mul(manager.create(new float[] {3f, 4f})).sum().add(b.getArray().mul(12f).sum()));

            assertThat(GradientClipping.clip(parameters, 20)).isCloseTo(13, within(1e-6));
            assertThat(gradient(a)).containsExactly(3f, 4f);
            assertThat(GradientClipping.clip(parameters, 0)).isCloseTo(13, within(1e-6));
            assertThat(gradient(b)).containsExactly(12f);

            assertThat(GradientClipping.clip(parameters, 6.5)).isCloseTo(13, within(1e-6));
            double coefficient = 6.5 / (13 + 1e-6);
            assertThat(gradient(a)).containsExactly(new float[] {(float) (3 * coefficient), (float) (4 * coefficient)},
                    org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(GradientClipping.globalNorm(parameters)).isCloseTo(6.5, within(1e-5));
        }
    }
}
