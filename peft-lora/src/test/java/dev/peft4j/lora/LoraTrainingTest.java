package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.adapt;
import static dev.peft4j.lora.LoraTesting.batch;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Backward passes and manual SGD steps through LoRA: only adapter parameters move. */
class LoraTrainingTest {

    private static final String TRAINABLE = ".*(lora_[AB]\\.default\\.weight|classifier\\.modules_to_save\\.default\\.(weight|bias))";

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** One forward/backward pass of a scalar loss over the logits; gradients stay on the parameters. */
    private static void backward(PeftModel peft, NDManager scope) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = peft.forward(batch(scope), true).head();
            NDArray loss = logits.mul(scope.create(new float[] {1f, -2f})).sum();
            collector.backward(loss);
        }
    }

    @Test
    void onlyLoraAndTheClassifierCopyReceiveGradients() {
        LoraConfig config = LoraConfig.builder().loraDropout(0.1).initLoraWeights(InitLoraWeights.RANDOM).build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config); NDManager scope = manager.newSubManager()) {
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
            assertThat(trainable).isEqualTo(2 * 2 * 2 + 2);
        }
    }

    @Test
    void threeSgdStepsMoveLoraButLeaveTheBaseBitIdentical() {
        LoraConfig config = LoraConfig.builder().loraDropout(0.1).build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config); NDManager scope = manager.newSubManager()) {
            Map<String, float[]> frozenBefore = new LinkedHashMap<>();
            Map<String, float[]> trainableBefore = new LinkedHashMap<>();
            Parameters.byName(peft.baseModel().root()).forEach((name, parameter) ->
                    (parameter.requiresGradient() ? trainableBefore : frozenBefore).put(name, parameter.getArray().toFloatArray()));
            float lr = 0.1f;
            for (int step = 0; step < 3; step++) {
                backward(peft, scope);
                for (Parameter parameter : peft.trainableParameters().values()) {
                    NDArray array = parameter.getArray();
                    try (NDArray gradient = array.getGradient(); NDArray update = gradient.mul(lr)) {
                        array.subi(update);
                        gradient.subi(gradient);
                    }
                }
            }
            Parameters.byName(peft.baseModel().root()).forEach((name, parameter) -> {
                float[] now = parameter.getArray().toFloatArray();
                if (frozenBefore.containsKey(name)) {
                    assertThat(now).as(name).containsExactly(frozenBefore.get(name));
                } else {
                    assertThat(now).as(name).isNotEqualTo(trainableBefore.get(name));
                }
            });
            assertThat(trainableBefore).hasSize(2 * 2 * 2 + 2);
            try (NDArray gradient = peft.trainableParameters().values().iterator().next().getArray().getGradient()) {
                assertThat(gradient.abs().sum().getFloat()).isZero();
            }
        }
    }
}
