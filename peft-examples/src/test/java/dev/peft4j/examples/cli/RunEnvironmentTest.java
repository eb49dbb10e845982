package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.KernelProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunEnvironmentTest {

    @Test
    void kernelProvidersAreRecordedWithAvailabilityAndReason() {
        KernelProvider missing = provider("zeta", false, "no driver here");
        KernelProvider present = provider("alpha", true, "ignored when available");
        assertThat(RunEnvironment.kernelStatuses(List.of(missing, present))).containsExactly(
                new RunEnvironment.KernelStatus("alpha", true, ""),
                new RunEnvironment.KernelStatus("zeta", false, "no driver here"));
    }

    @Test
    void theCudaProviderOnTheClassPathIsRecorded() {
        List<RunEnvironment.KernelStatus> statuses = RunEnvironment.capture(PeftRuntime.discover()).kernelProviders();
        assertThat(statuses).extracting(RunEnvironment.KernelStatus::name).containsExactly("cuda");
        RunEnvironment.KernelStatus cuda = statuses.getFirst();
        // without a usable driver the reason says why; with one it is empty
        assertThat(cuda.reason().isEmpty()).isEqualTo(cuda.available());
    }

    private static KernelProvider provider(String name, boolean available, String reason) {
        return new KernelProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isAvailable() {
                return available;
            }

            @Override
            public String unavailableReason() {
                return reason;
            }
        };
    }
}
