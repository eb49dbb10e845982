package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.adapt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.GradientChecks;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
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

    @Test
    void onlyLoraAndTheClassifierCopyReceiveGradients() {
        LoraConfig config = LoraConfig.builder().loraDropout(0.1).initLoraWeights(InitLoraWeights.RANDOM).build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config); NDManager scope = manager.newSubManager()) {
            GradientChecks.backward(peft, scope);
            assertThat(GradientChecks.assertOnlyTheseGetGradients(peft, TRAINABLE)).isEqualTo(2 * 2 * 2 + 2);
        }
    }

    @Test
    void threeSgdStepsMoveLoraButLeaveTheBaseBitIdentical() {
        LoraConfig config = LoraConfig.builder().loraDropout(0.1).build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config); NDManager scope = manager.newSubManager()) {
            assertThat(GradientChecks.assertThreeSgdStepsMoveOnlyTrainables(peft, scope)).isEqualTo(2 * 2 * 2 + 2);
        }
    }
}
