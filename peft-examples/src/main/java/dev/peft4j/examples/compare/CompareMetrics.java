package dev.peft4j.examples.compare;

import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.examples.compare.MethodResult.Memory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A comparison's numbers as Micrometer gauges, one time series per method (tag {@code method}),
 * named in Prometheus style with base units in the name. Every method has
 * {@code peft_compare_method_failed} (1 failed, 0 finished); a finished method also has the
 * numbers it recorded (a number it lacks has no sample):
 *
 * <ul>
 *   <li>{@code peft_compare_accuracy}, {@code peft_compare_macro_f1}, {@code peft_compare_eval_loss}
 *       (held-out, after the last epoch; loss in nats)
 *   <li>{@code peft_compare_trainable_parameters}, {@code peft_compare_total_parameters},
 *       {@code peft_compare_trainable_ratio} (trainable / total, in [0, 1])
 *   <li>{@code peft_compare_wall_seconds}, {@code peft_compare_median_step_seconds},
 *       {@code peft_compare_training_tokens_per_second}
 *   <li>{@code peft_compare_idle_rss_bytes}, {@code peft_compare_peak_rss_bytes},
 *       {@code peft_compare_peak_rss_over_idle_bytes} (measured),
 *       {@code peft_compare_accounted_bytes{kind="gradients|optimizer|activations|weights"}}
 *   <li>{@code peft_compare_adapter_bytes}, {@code peft_compare_full_model_bytes}
 *   <li>{@code peft_compare_forgetting_mean_cosine}, {@code peft_compare_forgetting_min_cosine},
 *       {@code peft_compare_base_intact} (1 when embeddings and logits with the adapter disabled are
 *       bit-identical to the base's, 0 when not; no sample for full fine-tuning)
 * </ul>
 *
 * <p>The per-method training metrics of each child run are in {@code <method>/metrics.prom}; this
 * class writes the comparison's {@code metrics.prom} at the top of the output folder.
 */
public final class CompareMetrics {

    /** The metrics file's name in the output folder. */
    public static final String METRICS_FILE = "metrics.prom";

    private static final String BYTES = "bytes";
    private static final String SECONDS = "seconds";

    private CompareMetrics() {}

    /**
     * Registers the comparison's gauges.
     *
     * @param results the comparison
     * @param registry where to register
     * @throws IllegalArgumentException if two methods share a label (their series would collide) or
     *     one has none
     */
    public static void bind(CompareResults results, MeterRegistry registry) {
        MethodLabels.requireUnique(results);
        for (MethodResult m : results.methods()) {
            bindMethod(m, registry);
        }
    }

    /**
     * Registers the gauges in a fresh Prometheus registry and writes its text exposition (format
     * 0.0.4) atomically to {@code <outputDir>/metrics.prom}.
     *
     * @param results the comparison
     * @param outputDir the comparison's output folder (created if missing)
     * @return the written file
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if two methods share a label or one has none
     */
    public static Path write(CompareResults results, Path outputDir) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            bind(results, registry);
            Files.createDirectories(outputDir);
            Path file = outputDir.resolve(METRICS_FILE);
            AtomicFiles.write(file, registry.scrape().getBytes(StandardCharsets.UTF_8));
            return file;
        } finally {
            registry.close();
        }
    }

    private static void bindMethod(MethodResult m, MeterRegistry registry) {
        String method = m.method();
        gauge(registry, "peft.compare.method.failed", null, "1 when the method failed, 0 when it finished", method,
                m.isOk() ? 0 : 1);
        if (!m.isOk()) {
            return;
        }
        gauge(registry, "peft.compare.accuracy", null, "held-out accuracy after the last epoch", method, m.accuracy());
        gauge(registry, "peft.compare.macro.f1", null, "held-out macro-averaged F1 after the last epoch", method,
                m.macroF1());
        gauge(registry, "peft.compare.eval.loss", null, "held-out mean cross-entropy after the last epoch, nats",
                method, m.loss());
        gauge(registry, "peft.compare.trainable.parameters", null, "trainable parameters (scalars)", method,
                m.trainableParams());
        gauge(registry, "peft.compare.total.parameters", null, "all parameters (scalars)", method, m.allParams());
        gauge(registry, "peft.compare.trainable.ratio", null, "trainable parameters / all parameters", method,
                m.trainablePercent() == null ? null : m.trainablePercent() / 100);
        gauge(registry, "peft.compare.wall", SECONDS, "training and evaluation wall time in the child JVM", method,
                m.wallSeconds());
        gauge(registry, "peft.compare.median.step", SECONDS, "median optimizer-update time", method,
                m.medianStepMillis() == null ? null : m.medianStepMillis() / 1000);
        gauge(registry, "peft.compare.training.tokens.per.second", null,
                "real (non-padding) training tokens per second of wall time", method, m.tokensPerSecond());
        memory(registry, method, m.memory());
        if (m.checkpoint() != null) {
            gauge(registry, "peft.compare.adapter", BYTES, "adapter checkpoint size on disk", method,
                    m.checkpoint().adapterBytes());
            gauge(registry, "peft.compare.full.model", BYTES, "full fp32 model checkpoint size", method,
                    m.checkpoint().fullModelBytes());
        }
        if (m.forgetting() != null) {
            gauge(registry, "peft.compare.forgetting.mean.cosine", null,
                    "mean cosine similarity of trained and base sentence embeddings on text not in the task", method,
                    m.forgetting().meanCosine());
            gauge(registry, "peft.compare.forgetting.min.cosine", null,
                    "smallest cosine similarity of trained and base sentence embeddings on text not in the task",
                    method, m.forgetting().minCosine());
            Boolean intact = ReportTable.baseIntactFlag(m.forgetting());
            gauge(registry, "peft.compare.base.intact", null,
                    "1 when the adapter-disabled model's embeddings and logits are bit-identical to the base's", method,
                    intact == null ? null : intact ? 1 : 0);
        }
    }

    private static void memory(MeterRegistry registry, String method, Memory memory) {
        if (memory == null) {
            return;
        }
        gauge(registry, "peft.compare.idle.rss", BYTES, "resident set at idle (model loaded)", method,
                memory.idleRssBytes());
        gauge(registry, "peft.compare.peak.rss", BYTES, "peak resident set during training", method,
                memory.peakRssBytes());
        gauge(registry, "peft.compare.peak.rss.over.idle", BYTES, "measured peak resident set minus idle", method,
                memory.measuredOverIdleBytes());
        accounted(registry, method, "gradients", memory.accountedGradientBytes());
        accounted(registry, method, "optimizer", memory.accountedOptimizerBytes());
        accounted(registry, method, "activations", memory.accountedActivationBytes());
        accounted(registry, method, "weights", memory.accountedWeightBytes());
    }

    private static void accounted(MeterRegistry registry, String method, String kind, long bytes) {
        Gauge.builder("peft.compare.accounted", () -> bytes).baseUnit(BYTES)
                .description("accounted memory by kind (closed forms of core.memory)")
                .tag("method", method).tag("kind", kind).strongReference(true).register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String baseUnit, String description, String method,
            Number value) {
        if (value == null) {
            return;
        }
        Gauge.builder(name, () -> value).baseUnit(baseUnit).description(description).tag("method", method)
                .strongReference(true).register(registry);
    }
}
