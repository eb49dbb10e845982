package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.bench.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child that dies or hangs becomes a failed method with the reason; its progress arrives as it prints it. */
class MethodProcessTest {

    private static final ObjectMapper MAPPER = PeftRuntime.discover().objectMapper();
    private static final MethodPlan PLAN = new MethodPlan("lora", "LORA", MAPPER.createObjectNode(), MAPPER.createObjectNode());

    @Test
    void aKilledChildIsAFailedMethod(@TempDir Path dir) throws Exception {
        List<long[]> progress = new ArrayList<>();
        ChildJvm jvm = ChildJvm.builder(MisbehavingChild.class).optHeap("32m").optArgs(List.of("kill")).build();
        MethodResult result = MethodProcess.run(PLAN, jvm, dir, MAPPER, (done, total) -> progress.add(new long[] {done, total}));
        assertThat(result.status()).isEqualTo(MethodResult.FAILED);
        assertThat(result.failure()).isEqualTo("child JVM was killed by signal 9 without a result; last output: about to kill "
                + "(see lora/child.log)");
        assertThat(progress).containsExactly(new long[] {1, 2}, new long[] {2, 2});
        assertThat(Files.readString(dir.resolve("child.log"))).contains("PEFT_PROGRESS 2 2", "about to kill");
    }

    @Test
    void aChildPastItsTimeoutIsKilled(@TempDir Path dir) throws Exception {
        ChildJvm jvm = ChildJvm.builder(MisbehavingChild.class).optHeap("32m").optArgs(List.of("hang"))
                .optTimeout(Duration.ofSeconds(3)).build();
        long start = System.nanoTime();
        MethodResult result = MethodProcess.run(PLAN, jvm, dir, MAPPER, (done, total) -> {});
        assertThat(result.failure()).isEqualTo("timed out after 3 s (method_timeout_minutes) and was killed");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
    }
}
