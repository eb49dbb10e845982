package dev.peft4j.core.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The training loop's Micrometer meters:
 * <ul>
 *   <li>{@code peft.train.step} timer: wall time per optimizer update;</li>
 *   <li>{@code peft.train.tokens} and {@code peft.train.examples} counters: real tokens and
 *       examples trained on;</li>
 *   <li>{@code peft.train.loss} and {@code peft.train.learning_rate} gauges: the last update's
 *       loss (nats) and rate;</li>
 *   <li>{@code peft.memory.rss.bytes} and {@code peft.memory.heap.bytes} gauges: resident set
 *       size (0 where {@code /proc} is unavailable) and Java heap in use, read when scraped
 *       ({@link ProcessMemory}).</li>
 * </ul>
 */
public final class TrainingMeters {

    private final Timer step;
    private final Counter tokens;
    private final Counter examples;
    // doubles kept as raw bits so the gauges can read them without locks
    private final AtomicLong loss = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
    private final AtomicLong learningRate = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));

    private static final Map<MeterRegistry, TrainingMeters> BY_REGISTRY = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The meters of a registry, registered on first use. Micrometer keeps the first gauge
     * registered under a name, so every trainer reporting to one registry shares one instance.
     *
     * @param registry where the meters are registered
     * @return the registry's training meters
     */
    public static TrainingMeters of(MeterRegistry registry) {
        return BY_REGISTRY.computeIfAbsent(registry, TrainingMeters::new);
    }

    private TrainingMeters(MeterRegistry registry) {
        step = Timer.builder("peft.train.step").description("wall time of one optimizer update").register(registry);
        tokens = Counter.builder("peft.train.tokens").description("real (non-padding) tokens trained on").baseUnit("tokens").register(registry);
        examples = Counter.builder("peft.train.examples").description("examples trained on").baseUnit("examples").register(registry);
        Gauge.builder("peft.train.loss", loss, bits -> Double.longBitsToDouble(bits.get()))
                .description("training loss of the last update (nats)").register(registry);
        Gauge.builder("peft.train.learning_rate", learningRate, bits -> Double.longBitsToDouble(bits.get()))
                .description("learning rate of the last update").register(registry);
        Gauge.builder("peft.memory.rss.bytes", ProcessMemory::rssBytes)
                .description("resident set size (VmRSS), 0 where unavailable").baseUnit("bytes").register(registry);
        Gauge.builder("peft.memory.heap.bytes", ProcessMemory::heapUsedBytes)
                .description("Java heap in use").baseUnit("bytes").register(registry);
    }

    /**
     * Records one update.
     *
     * @param event the update
     */
    public void record(StepEvent event) {
        step.record(event.nanos(), TimeUnit.NANOSECONDS);
        tokens.increment(event.tokens());
        examples.increment(event.examples());
        loss.set(Double.doubleToRawLongBits(event.loss()));
        learningRate.set(Double.doubleToRawLongBits(event.learningRate()));
    }
}
