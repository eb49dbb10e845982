package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.runtime.SaveOptions;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.examples.data.LabeledText;
import dev.peft4j.examples.data.PatternDataset;
import dev.peft4j.examples.data.StratifiedSplit;
import dev.peft4j.examples.serve.RequestStream;
import dev.peft4j.examples.serve.ServeRequest;
import dev.peft4j.lora.LoraConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peft serve-demo} end to end on three LoRA adapters of the real MiniLM written in this test
 * (random factors, one per dataset): the printed accuracy of each adapter equals classifying its
 * requests one by one with that adapter active, the requests add up, and the memory and parameter
 * lines are there; bad {@code --adapter} values end with one line.
 */
class ServeDemoCommandTest {

    private static final int REQUESTS = 24;
    private static final Map<String, PatternDataset> TASKS = new LinkedHashMap<>(Map.of());

    static {
        TASKS.put("sentiment", PatternDataset.POLARITY);
        TASKS.put("uncertainty", PatternDataset.UNCERTAINTY);
        TASKS.put("spam", PatternDataset.SPAM);
    }

    @Test
    void servesAMixedStreamAndReportsEachAdaptersAccuracyLatencyAndMemory(@TempDir Path dir) throws Exception {
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        BundledModel bundled = BundledModel.ALL_MINILM_L6_V2;
        ImportedBert imported = bundled.importWeights();
        Map<String, Integer> expectedCorrect = new LinkedHashMap<>();
        Map<String, Integer> expectedRequests = new LinkedHashMap<>();
        Map<String, List<LabeledText>> heldOut = new LinkedHashMap<>();
        for (Map.Entry<String, PatternDataset> task : TASKS.entrySet()) {
            heldOut.put(task.getKey(), StratifiedSplit.split(task.getValue().load(), TrainingRun.TEST_FRACTION,
                    TrainingRun.SPLIT_SEED).test());
        }
        List<ServeRequest> stream = RequestStream.draw(heldOut, REQUESTS, 0);
        Engine.getInstance().setRandomSeed(3);
        LoraConfig config = LoraConfig.builder().r(4).targetModules("query", "value")
                .initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).build();
        try (NDManager manager = NDManager.newBaseManager(); SentenceTokenizer tokenizer = bundled.tokenizer(64);
                PeftModel peft = runtime.getPeftModel(TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, 2, manager), config,
                        ConfigOrigin.USER, tokenizer, "sentiment")) {
            peft.addAdapter("uncertainty", config);
            peft.addAdapter("spam", config);
            for (Map.Entry<String, PatternDataset> task : TASKS.entrySet()) {
                String name = task.getKey();
                AdapterCheckpoint.save(dir.resolve(name), AdapterLabels.add(mapper, peft.adapterConfigJson(name, SaveOptions.defaults()),
                        task.getValue()), peft.adapterWeights(name, false), Map.of("format", "pt"));
                expectedCorrect.put(name, 0);
                expectedRequests.put(name, 0);
            }
            for (ServeRequest request : stream) {
                peft.setActiveAdapter(request.adapter());
                try (NDManager scope = manager.newSubManager()) {
                    float[] logits = peft.forward(tokenizer.encode(List.of(request.text())).toNDList(scope), false).head().toFloatArray();
                    int predicted = logits[1] > logits[0] ? 1 : 0;
                    expectedCorrect.merge(request.adapter(), predicted == request.label() ? 1 : 0, Integer::sum);
                    expectedRequests.merge(request.adapter(), 1, Integer::sum);
                }
            }
        }
        CliRun run = CliRun.of("serve-demo", "--adapter", "sentiment=" + dir.resolve("sentiment"), "--adapter",
                "uncertainty=" + dir.resolve("uncertainty"), "--adapter", "spam=" + dir.resolve("spam"), "--requests",
                String.valueOf(REQUESTS), "--batch-size", "8");
        assertThat(run.err()).isEmpty();
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("serve-demo: all-minilm-l6-v2 + 3 adapters [sentiment, uncertainty, spam], 24 requests (seed 0)"
                + " in mixed batches of 8");
        for (Map.Entry<String, PatternDataset> task : TASKS.entrySet()) {
            String name = task.getKey();
            Matcher row = Pattern.compile("(?m)^" + name + " +" + task.getValue().cliName()
                    + " +(\\d+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)$").matcher(run.out());
            assertThat(row.find()).as(run.out()).isTrue();
            int requests = expectedRequests.get(name);
            assertThat(Integer.parseInt(row.group(1))).isEqualTo(requests);
            assertThat(row.group(2)).isEqualTo(String.format(Locale.ROOT, "%.4f", (double) expectedCorrect.get(name) / requests));
            assertThat(Double.parseDouble(row.group(3))).isPositive().isLessThanOrEqualTo(Double.parseDouble(row.group(4)));
            assertThat(Double.parseDouble(row.group(5))).isPositive();
        }
        assertThat(run.out()).containsPattern("(?m)^all +24 +[0-9.]+ +[0-9.]+$");
        Matcher memory = Pattern.compile("memory \\(resident, after GC\\): one base \\+ 3 adapters (-?[0-9.]+) MiB; 3 separate copies "
                + "(-?[0-9.]+) MiB \\(one copy, base \\+ 1 adapter, measured: (-?[0-9.]+) MiB\\); saved (-?[0-9.]+) MiB \\(-?\\d+%\\)")
                .matcher(run.out());
        assertThat(memory.find()).as(run.out()).isTrue();
        // The resident growth itself depends on what the allocator and the JVM's heap hand back while the
        // machine is busy (a CI run measured one copy under 40 MiB), so the test checks the report's
        // arithmetic; the sizes are measured on the real adapters in the README's run.
        double shared = Double.parseDouble(memory.group(1));
        double separate = Double.parseDouble(memory.group(2));
        double copy = Double.parseDouble(memory.group(3));
        assertThat(separate).as(run.out()).isCloseTo(3 * copy, within(0.2));
        assertThat(Double.parseDouble(memory.group(4))).as(run.out()).isCloseTo(separate - shared, within(0.2));
        assertThat(run.out()).contains("parameters: base 22,566,146 (86.1 MiB fp32); 3 adapters with their heads add 112,902 ");
    }

    @Test
    void badAdapterOptionsEndWithOneLine(@TempDir Path dir) {
        CliRun noEquals = CliRun.of("serve-demo", "--adapter", dir.toString());
        assertThat(noEquals.status()).isEqualTo(1);
        assertThat(noEquals.err()).isEqualTo("peft: --adapter takes NAME=DIR (e.g. sentiment=results/lora-sentiment), got '"
                + dir + "'" + System.lineSeparator());
        CliRun base = CliRun.of("serve-demo", "--adapter", "__base__=" + dir);
        assertThat(base.err()).isEqualTo("peft: --adapter name '__base__' is HF PEFT's name for the base model; choose another"
                + System.lineSeparator());
        CliRun requests = CliRun.of("serve-demo", "--adapter", "a=" + dir, "--requests", "0");
        assertThat(requests.err()).isEqualTo("peft: --requests must be > 0, got 0" + System.lineSeparator());
    }

    @Test
    void aFullFineTuningAdapterIsRefusedBeforeTheHeader(@TempDir Path dir) throws Exception {
        Path full = dir.resolve("full");
        dev.peft4j.core.io.AdapterCheckpoint.save(full, "{\"peft_type\": \"FULL\"}",
                Map.of(SavedAdapter.CLASSIFIER_KEY, new dev.peft4j.core.io.HostTensor(new long[] {2, 384}, new float[768])),
                Map.of("format", "pt"));
        CliRun run = CliRun.of("serve-demo", "--adapter", "a=" + full);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("peft: adapter 'a': peft_type FULL cannot serve mixed-adapter batches (adapter_names): its "
                + "layers do not route batch rows to adapters; HF PEFT supports adapter_names for LoRA adapters" + System.lineSeparator());
    }

    @Test
    void aDoraAdapterIsRefusedBeforeTheHeader(@TempDir Path dir) throws Exception {
        Path dora = dir.resolve("dora");
        dev.peft4j.core.io.AdapterCheckpoint.save(dora, "{\"peft_type\": \"LORA\", \"use_dora\": true}",
                Map.of(SavedAdapter.CLASSIFIER_KEY, new dev.peft4j.core.io.HostTensor(new long[] {2, 384}, new float[768])),
                Map.of("format", "pt"));
        CliRun run = CliRun.of("serve-demo", "--adapter", "d=" + dora);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("peft: adapter 'd' cannot serve rows of a mixed-adapter batch: it uses DoRA (use_dora: true), "
                + "which HF PEFT refuses in mixed-adapter batches too; serve it with setActiveAdapter" + System.lineSeparator());
    }
}
