package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MethodProgressBarTest {

    @Test
    void drawsTheMethodsUpdatesWhenEnabled() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MethodProgressBar bar = new MethodProgressBar(true, "lora", new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            bar.progress(1, 4);
            bar.progress(4, 4);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("lora").contains("4/4");
    }

    @Test
    void drawsNothingWhenDisabled() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MethodProgressBar bar = new MethodProgressBar(false, "lora", new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            bar.progress(1, 4);
        }
        assertThat(bytes.size()).isZero();
    }
}
