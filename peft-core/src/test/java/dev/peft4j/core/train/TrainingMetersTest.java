package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TrainingMetersTest {

    @Test
    void everyTrainerOnARegistryUpdatesTheSameMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainingMeters.of(registry).record(new StepEvent(0, 0, 2, 0.7, 1e-3, 1.0, 8, 100, 2_000_000));
        TrainingMeters.of(registry).record(new StepEvent(0, 1, 2, 0.5, 2e-3, 1.0, 4, 50, 4_000_000));
        assertThat(TrainingMeters.of(registry)).isSameAs(TrainingMeters.of(registry));
        assertThat(registry.get("peft.train.step").timer().count()).isEqualTo(2);
        assertThat(registry.get("peft.train.step").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(6.0);
        assertThat(registry.get("peft.train.tokens").counter().count()).isEqualTo(150.0);
        assertThat(registry.get("peft.train.examples").counter().count()).isEqualTo(12.0);
        assertThat(registry.get("peft.train.loss").gauge().value()).isEqualTo(0.5);
        assertThat(registry.get("peft.train.learning_rate").gauge().value()).isEqualTo(2e-3);
    }

    @Test
    void gaugesAreNaNBeforeTheFirstStep() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainingMeters.of(registry);
        assertThat(registry.get("peft.train.loss").gauge().value()).isNaN();
        assertThat(registry.get("peft.memory.rss.bytes").gauge().value()).isPositive();
    }
}
