package dev.peft4j.examples.compare;

import static dev.peft4j.examples.compare.CompareResultsFixture.mib;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareMetricsTest {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)} (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One parsed sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
        String key() {
            return name + labels;
        }
    }

    @Test
    void everySampleIsTaggedWithItsMethodAndEqualsTheInput(@TempDir Path dir) throws IOException {
        Path file = CompareMetrics.write(CompareResultsFixture.results(), dir);

        assertThat(file).isEqualTo(dir.resolve("metrics.prom"));
        List<Sample> samples = parse(Files.readString(file));
        assertThat(samples).allSatisfy(s -> assertThat(s.labels()).containsKey("method"));
        Map<String, Double> values = new LinkedHashMap<>();
        samples.forEach(s -> values.put(s.key(), s.value()));

        assertThat(values).containsEntry("peft_compare_accuracy{method=lora}", 0.7925)
                .containsEntry("peft_compare_accuracy{method=full}", 0.8412)
                .containsEntry("peft_compare_macro_f1{method=bottleneck}", 0.8047)
                .containsEntry("peft_compare_eval_loss{method=prompt}", 0.6402)
                .containsEntry("peft_compare_trainable_parameters{method=lora}", 74_498.0)
                .containsEntry("peft_compare_total_parameters{method=full}", 22_713_602.0)
                .containsEntry("peft_compare_wall_seconds{method=prompt}", 340.7)
                .containsEntry("peft_compare_median_step_seconds{method=lora}", 1.305)
                .containsEntry("peft_compare_training_tokens_per_second{method=bottleneck}", 1100.0)
                .containsEntry("peft_compare_peak_rss_over_idle_bytes{method=lora}", (double) mib(937.3))
                .containsEntry("peft_compare_idle_rss_bytes{method=full}", (double) (612 * CompareResultsFixture.MIB))
                .containsEntry("peft_compare_peak_rss_bytes{method=full}", (double) (612 * CompareResultsFixture.MIB + mib(1016.5)))
                .containsEntry("peft_compare_accounted_bytes{kind=gradients, method=full}", (double) mib(86.1))
                .containsEntry("peft_compare_accounted_bytes{kind=optimizer, method=full}", (double) mib(172.2))
                .containsEntry("peft_compare_accounted_bytes{kind=activations, method=prompt}", (double) mib(1023.4))
                .containsEntry("peft_compare_accounted_bytes{kind=weights, method=lora}", (double) (91 * CompareResultsFixture.MIB))
                .containsEntry("peft_compare_adapter_bytes{method=lora}", 302_664.0)
                .containsEntry("peft_compare_full_model_bytes{method=lora}", (double) CompareResultsFixture.FULL_MODEL_BYTES)
                .containsEntry("peft_compare_forgetting_mean_cosine{method=full}", 0.9127)
                .containsEntry("peft_compare_forgetting_min_cosine{method=prompt}", 0.9952)
                .containsEntry("peft_compare_base_intact{method=lora}", 1.0)
                .containsEntry("peft_compare_method_failed{method=prefix}", 1.0)
                .containsEntry("peft_compare_method_failed{method=lora}", 0.0)
                .doesNotContainKey("peft_compare_base_intact{method=full}");
        assertThat(values.get("peft_compare_trainable_ratio{method=lora}")).isCloseTo(0.003269, within(1e-15));
        assertThat(samples).filteredOn(s -> s.labels().get("method").equals("prefix")).extracting(Sample::name)
                .containsExactly("peft_compare_method_failed");
        // 4 finished methods x 22 series (12 single, 7 memory, 3 forgetting; full has no base_intact) + prefix's one
        assertThat(samples).hasSize(4 * 22 - 1 + 1);
    }

    @Test
    void theFileIsWrittenAtomicallyAndReplacedOnRewrite(@TempDir Path dir) throws IOException {
        CompareMetrics.write(CompareResultsFixture.results(), dir);
        CompareMetrics.write(CompareResultsFixture.of(List.of(CompareResultsFixture.lora())), dir);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("metrics.prom");
        }
        assertThat(parse(Files.readString(dir.resolve("metrics.prom"))))
                .allSatisfy(s -> assertThat(s.labels()).containsEntry("method", "lora"));
    }

    @Test
    void methodLabelsAreEscapedInTheExposition(@TempDir Path dir) throws IOException {
        MethodResult odd = MethodResult.failed("lora \"r16\"\\x", "LORA", "boom");
        List<Sample> samples = parse(Files.readString(CompareMetrics.write(CompareResultsFixture.of(List.of(odd)), dir)));

        assertThat(samples).singleElement().satisfies(s -> {
            assertThat(s.labels()).containsEntry("method", "lora \\\"r16\\\"\\\\x");
            assertThat(s.value()).isEqualTo(1.0);
        });
    }

    @Test
    void aLabelUsedTwiceIsRefused(@TempDir Path dir) {
        CompareResults twice = CompareResultsFixture.of(List.of(CompareResultsFixture.lora(),
                MethodResult.failed("lora", "LORA", "exit status 1")));

        assertThatThrownBy(() -> CompareMetrics.write(twice, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("method 'lora' appears twice in the results; each method run needs its own label");
    }

    /** Parses the Prometheus text exposition line by line: comments, then {@code name{labels} value}. */
    static List<Sample> parse(String text) {
        return text.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).map(line -> {
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("sample line: " + line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            String body = sample.group(2);
            Matcher label = LABEL.matcher(body);
            for (int end = 0; end < body.length(); end = label.end()) {
                label.region(end, body.length());
                assertThat(label.lookingAt()).as("labels of " + line).isTrue();
                labels.put(label.group(1), label.group(2));
            }
            return new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3)));
        }).toList();
    }
}
