package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {

    private static String render(boolean enabled) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TrainingProgress progress = TrainingProgress.create(enabled, 2)) {
            progress.step(new StepEvent(0, 0, 2, 0.6931, 1e-3, 1.0, 8, 64, 1_000_000));
            progress.step(new StepEvent(0, 1, 2, 0.5, 5e-4, 1.0, 8, 64, 1_000_000));
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void drawsStepsLossAndRateOnStderr() {
        assertThat(render(true)).contains("train", "2/2", "epoch 1 loss 0.5000 lr 5.00e-04");
    }

    @Test
    void drawsNothingWhenDisabled() {
        assertThat(render(false)).isEmpty();
    }
}
