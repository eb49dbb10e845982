package dev.peft4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBenchmarkVerdictTest {

    @Test
    void theVerdictCoversOnlyTheCheckedMethodsThatWereMeasured() {
        assertThat(MemoryBenchmark.verdict(List.of("full", "lora"), List.of()))
                .isEqualTo("accounted and measured agree within 15% for [full, lora]");
        assertThat(MemoryBenchmark.verdict(List.of("lora", "prompt"), List.of()))
                .isEqualTo("accounted and measured agree within 15% for [lora]; not measured: [full]");
        assertThat(MemoryBenchmark.verdict(List.of("full"), List.of("full")))
                .isEqualTo("accounted and measured differ by more than 15% for [full]; not measured: [lora]");
        assertThat(MemoryBenchmark.verdict(List.of("prompt"), List.of()))
                .isEqualTo("no agreement verdict: the check covers [full, lora], none of them was measured");
    }
}
