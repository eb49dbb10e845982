package dev.peft4j.core.train;

import static dev.peft4j.core.train.TrainTestSupport.backward;
import static dev.peft4j.core.train.TrainTestSupport.gradient;
import static dev.peft4j.core.train.TrainTestSupport.parameter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private NDManager manager;

    @BeforeEach
    void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    @Test
    void twoStepsMatchTheHandComputedUpdate() {
        float[] w0 = {1.0f, -2.0f, 0.5f};
        float[] c = {0.5f, 1.5f, -2.0f};
        Parameter w = parameter(manager, "dense.weight", w0);
        double[] lrs = {0.01, 0.02};
        double wd = 0.1;
        try (AdamW adamW = AdamW.builder().setParameters(Map.of("dense.weight", w)).optWeightDecay(wd).build()) {
            for (double lr : lrs) {
                // loss = 0.5 * sum(c * w^2), so g = c * w at the current w
                backward(() -> w.getArray().square().mul(manager.create(c)).sum().mul(0.5f));
                adamW.step(lr);
            }
            assertThat(adamW.stepCount()).isEqualTo(2);
        }
        // the same two updates in double, written out from torch.optim.AdamW's documentation
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            double p = w0[i];
            double m = 0;
            double v = 0;
            for (int t = 1; t <= 2; t++) {
                double lr = lrs[t - 1];
                double g = c[i] * p;
                p = p * (1 - lr * wd);
                m = 0.9 * m + 0.1 * g;
                v = 0.999 * v + 0.001 * g * g;
                double mHat = m / (1 - Math.pow(0.9, t));
                double vHat = v / (1 - Math.pow(0.999, t));
                p = p - lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
            expected[i] = p;
        }
        float[] actual = w.getArray().toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertThat((double) actual[i]).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void aConstantGradientMovesEachWeightByTheLearningRatePerStep() {
        // closed form: with g constant, m_hat = g and v_hat = g^2 at every t, so each step is lr * sign(g)
        Parameter w = parameter(manager, "w", 0f, 0f);
        try (AdamW adamW = AdamW.builder().setParameters(Map.of("w", w)).build()) {
            for (int t = 0; t < 2; t++) {
                backward(() -> w.getArray().mul(manager.create(new float[] {3f, -0.25f})).sum());
                adamW.step(0.05);
            }
        }
        assertThat(w.getArray().toFloatArray()).containsExactly(new float[] {-0.1f, 0.1f}, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void weightDecayIsDecoupledAndSkipsBiasesAndLayerNorms() {
        Parameter weight = parameter(manager, "weight", 2f, -4f);
        Parameter bias = parameter(manager, "bias", 2f, -4f);
        Parameter norm = parameter(manager, "weight", 2f, -4f);
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        parameters.put("dense.weight", weight);
        parameters.put("dense.bias", bias);
        parameters.put("encoder.LayerNorm.weight", norm);
        try (AdamW adamW = AdamW.builder().setParameters(parameters).optWeightDecay(0.5).build()) {
            assertThat(adamW.decayedParameterNames()).containsExactly("dense.weight");
            for (int t = 0; t < 2; t++) {
                // zero gradients: Adam's own step is 0 / (0 + eps) = 0, so only the decay moves weights
                backward(() -> weight.getArray().mul(0f).sum().add(bias.getArray().mul(0f).sum()).add(norm.getArray().mul(0f).sum()));
                adamW.step(0.1);
            }
        }
        // decoupled: p * (1 - lr * wd) per step exactly; Adam with an L2 term would instead have
        // normalised the decay gradient and moved each weight by about lr = 0.1 per step
        assertThat(weight.getArray().toFloatArray()).containsExactly(2f * 0.95f * 0.95f, -4f * 0.95f * 0.95f);
        assertThat(bias.getArray().toFloatArray()).containsExactly(2f, -4f);
        assertThat(norm.getArray().toFloatArray()).containsExactly(2f, -4f);
        assertThat(AdamW.isDecayExempt("bert.encoder.layer.0.output.layer_norm.weight")).isTrue();
        assertThat(AdamW.isDecayExempt("classifier.modules_to_save.default.bias")).isTrue();
        assertThat(AdamW.isDecayExempt("lora_A.default.weight")).isFalse();
    }

    @Test
    void gradientsAreZeroedAfterAStep() {
        Parameter w = parameter(manager, "w", 1f, 2f);
        try (AdamW adamW = AdamW.builder().setParameters(Map.of("w", w)).build()) {
            backward(() -> w.getArray().sum());
            assertThat(gradient(w)).containsExactly(1f, 1f);
            adamW.step(0.1);
            assertThat(gradient(w)).containsExactly(0f, 0f);
        }
    }

    @Test
    void frozenParametersAreLeftOutAndNoneIsAnError() {
        Parameter trainable = parameter(manager, "a", 1f);
        Parameter frozen = parameter(manager, "b", 1f);
        frozen.freeze(true);
        try (AdamW adamW = AdamW.builder().setParameters(Map.of("a", trainable, "b", frozen)).build()) {
            assertThat(adamW.parameters()).containsOnlyKeys("a");
        }
        assertThatThrownBy(() -> AdamW.builder().setParameters(Map.of("b", frozen)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no trainable parameters: none of the 1 parameters given requires a gradient "
                        + "(is every block frozen, or did the method inject nothing?)");
        assertThatThrownBy(() -> AdamW.builder().setParameters(Map.of()).build())
                .hasMessageStartingWith("no trainable parameters: none of the 0 parameters");
    }

    @Test
    void exportedStateRestoresBitExactly() {
        Parameter a = parameter(manager, "a", 0.3f, -0.7f, 1.1f);
        Parameter b = parameter(manager, "a", 0.3f, -0.7f, 1.1f);
        float[] c = {0.9f, -1.3f, 0.2f};
        try (AdamW straight = AdamW.builder().setParameters(Map.of("w", a)).optWeightDecay(0.01).build()) {
            AdamWState exported;
            try (AdamW first = AdamW.builder().setParameters(Map.of("w", b)).optWeightDecay(0.01).build()) {
                for (int t = 0; t < 2; t++) {
                    backward(() -> a.getArray().square().mul(manager.create(c)).sum());
                    straight.step(0.01);
                    backward(() -> b.getArray().square().mul(manager.create(c)).sum());
                    first.step(0.01);
                }
                exported = first.state();
                assertThat(exported.step()).isEqualTo(2);
                assertThat(exported.tensors()).containsOnlyKeys("w.exp_avg", "w.exp_avg_sq");
            }
            try (AdamW resumed = AdamW.builder().setParameters(Map.of("w", b)).optWeightDecay(0.01).build()) {
                resumed.loadState(exported);
                assertThat(resumed.state()).isEqualTo(exported);
                for (int t = 0; t < 3; t++) {
                    backward(() -> a.getArray().square().mul(manager.create(c)).sum());
                    straight.step(0.01);
                    backward(() -> b.getArray().square().mul(manager.create(c)).sum());
                    resumed.step(0.01);
                }
                assertThat(b.getArray().toFloatArray()).isEqualTo(a.getArray().toFloatArray());
                assertThat(resumed.state()).isEqualTo(straight.state());
            }
        }
    }

    @Test
    void mismatchedStateIsRejectedByName() {
        Parameter w = parameter(manager, "w", 1f, 2f);
        try (AdamW adamW = AdamW.builder().setParameters(Map.of("w", w)).build()) {
            HostTensor two = new HostTensor(new long[] {2}, new float[2]);
            HostTensor three = new HostTensor(new long[] {3}, new float[3]);
            assertThatThrownBy(() -> adamW.loadState(new AdamWState(1, Map.of("w.exp_avg", two, "x.exp_avg_sq", two))))
                    .hasMessage("AdamW state does not fit the parameters: missing [w.exp_avg_sq], unexpected [x.exp_avg_sq]");
            assertThatThrownBy(() -> adamW.loadState(new AdamWState(1, Map.of("w.exp_avg", two, "w.exp_avg_sq", three))))
                    .hasMessage("AdamW state 'w.exp_avg_sq' has shape [3], the parameter has [2]");
            assertThat(adamW.stepCount()).isZero();
        }
    }

    @Test
    void hyperParametersAreValidated() {
        Parameter w = parameter(manager, "w", 1f);
        assertThatThrownBy(() -> AdamW.builder().setParameters(Map.of("w", w)).optBetas(1.0, 0.999).build())
                .hasMessage("adamw.beta1 must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> AdamW.builder().setParameters(Map.of("w", w)).optWeightDecay(-1).build())
                .hasMessage("adamw.weight_decay must be finite and >= 0, got -1.0");
        assertThatThrownBy(() -> AdamW.builder().build()).hasMessage("AdamW.builder().setParameters(...) is required");
    }
}
