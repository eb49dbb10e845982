package dev.peft4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    @Test
    void childRunsPinnedAndReportsItsPeakOverIdle() throws Exception {
        ChildJvm.Result result = ChildJvm.builder(EchoChild.class).optHeap("64m").optArgs(List.of("48")).build().run();
        JsonNode report = result.report();
        List<String> jvmArgs = new ArrayList<>();
        report.get("jvm_args").forEach(arg -> jvmArgs.add(arg.asText()));
        assertThat(jvmArgs).contains("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch");
        assertThat(report.get("malloc_arena_max").asText()).isEqualTo("2");
        assertThat(report.get("mmap_threshold").asText()).isEqualTo("131072");
        long increase = report.get("peak").asLong() - report.get("idle").asLong();
        // 48 MiB touched after the reset; the high-water mark saw it, and not much else
        assertThat(increase).isBetween(48L << 20, 64L << 20);
    }

    @Test
    void aFailingChildShowsItsOutput() {
        assertThatThrownBy(() -> ChildJvm.builder(EchoChild.class).optHeap("64m").optArgs(List.of("fail")).build().run())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("child JVM exited with status 3")
                .hasMessageContaining("failing on purpose");
    }

    @Test
    void heapSizesAreChecked() {
        assertThatThrownBy(() -> ChildJvm.builder(EchoChild.class).optHeap("lots"))
                .hasMessage("heap size must look like 512m or 1g, got 'lots'");
    }
}
