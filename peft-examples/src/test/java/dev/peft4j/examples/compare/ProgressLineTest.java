package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void roundTripsAndIgnoresOtherLines() {
        assertThat(ProgressLine.format(3, 100)).isEqualTo("PEFT_PROGRESS 3 100");
        assertThat(ProgressLine.parse(ProgressLine.format(3, 100))).containsExactly(3, 100);
        assertThat(ProgressLine.parse("PEFT_PROGRESS 3")).isNull();
        assertThat(ProgressLine.parse("PEFT_PROGRESS x 4")).isNull();
        assertThat(ProgressLine.parse("[W1130] a warning")).isNull();
    }
}
