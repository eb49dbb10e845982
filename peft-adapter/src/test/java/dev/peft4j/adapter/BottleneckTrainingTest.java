package dev.peft4j.adapter;

import static dev.peft4j.adapter.BottleneckTesting.adapt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.GradientChecks;
import dev.peft4j.core.train.Autograd;
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

    private static int adapters(BottleneckPlacement placement) {
        return placement.adaptsAttentionOutput() ? 4 : 2;
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void onlyAdaptersAndTheClassifierCopyReceiveGradients(BottleneckPlacement placement) {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, BottleneckTesting.randomInit(placement).withWidth(null, 4));
                NDManager scope = manager.newSubManager()) {
            GradientChecks.backward(peft, scope);
            assertThat(GradientChecks.assertOnlyTheseGetGradients(peft, TRAINABLE)).isEqualTo(4 * adapters(placement) + 2);
            Autograd.zeroGradients(peft.trainableParameters().values());
        }
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void threeSgdStepsMoveTheAdaptersButLeaveTheBaseBitIdentical(BottleneckPlacement placement) {
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, BottleneckConfig.of(placement).withWidth(null, 4));
                NDManager scope = manager.newSubManager()) {
            assertThat(GradientChecks.assertThreeSgdStepsMoveOnlyTrainables(peft, scope)).isEqualTo(4 * adapters(placement) + 2);
        }
    }
}
