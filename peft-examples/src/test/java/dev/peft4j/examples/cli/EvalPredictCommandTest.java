package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.runtime.SaveOptions;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.Evaluation;
import dev.peft4j.core.train.Evaluator;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.examples.data.RottenTomatoes;
import dev.peft4j.examples.data.StratifiedSplit;
import dev.peft4j.lora.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peft eval} and {@code peft predict} on a LoRA adapter of the real MiniLM saved in this
 * test (random factors, so the outputs differ from the base model's): their numbers equal those of
 * the in-process model that was saved; damaged and mismatched folders end with one line, status 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvalPredictCommandTest {

    private static final List<String> TEXTS = List.of("a gripping, beautifully acted film", "dull and lifeless");
    private static final int EVAL_SAMPLES = 24;

    private Path dir;
    private Path adapter;
    private float[] probabilities;
    private Evaluation evaluation;

    @BeforeAll
    void saveAnAdapter(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        adapter = dir.resolve("lora");
        BundledModel base = BundledModel.ALL_MINILM_L6_V2;
        List<TrainingExample> heldOut = StratifiedSplit.split(RottenTomatoes.load(), TrainingRun.TEST_FRACTION, TrainingRun.SPLIT_SEED)
                .test().stream().limit(EVAL_SAMPLES).map(row -> new TrainingExample(row.text(), row.label())).toList();
        LoraConfig config = LoraConfig.builder().r(2).loraAlpha(4).targetModules("query", "value").build();
        try (NDManager manager = NDManager.newBaseManager(); SentenceTokenizer tokenizer = base.tokenizer(64);
                PeftModel peft = PeftRuntime.discover().getPeftModel(
                        TransformerModel.pretrainedBert(base.importWeights(), TaskType.SEQ_CLS, 2, manager), config, ConfigOrigin.USER)) {
            SplittableRandom random = new SplittableRandom(3);
            peft.trainableParameters().values().forEach(parameter -> {
                float[] values = parameter.getArray().toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    values[i] += (float) random.nextDouble(-0.05, 0.05);
                }
                parameter.getArray().set(values);
            });
            peft.savePretrained(adapter, SaveOptions.defaults().withBaseModel(BundledModel.ALL_MINILM_L6_V2.hubName()));
            try (NDManager scope = manager.newSubManager(); var ignored = Autograd.noGrad()) {
                probabilities = peft.forward(tokenizer.encode(TEXTS).toNDList(scope), false).head().softmax(1).toFloatArray();
            }
            evaluation = Evaluator.evaluate(peft, tokenizer, heldOut, 32, 2);
        }
    }

    @Test
    void predictPrintsTheLabelAndProbabilitiesOfTheSavedModel() {
        CliRun run = CliRun.of("predict", "--adapter", adapter.toString(), TEXTS.get(0), TEXTS.get(1));
        assertThat(run.status()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        for (int row = 0; row < 2; row++) {
            float negative = probabilities[2 * row];
            float positive = probabilities[2 * row + 1];
            String label = positive > negative ? "positive" : "negative";
            assertThat(lines.get(row)).isEqualTo(String.format(Locale.ROOT, "%s  negative %.4f  positive %.4f  \"%s\"",
                    label, negative, positive, TEXTS.get(row)));
        }
    }

    @Test
    void evalReportsTheHeldOutAccuracyOfTheSavedModel() {
        CliRun run = CliRun.of("eval", "--adapter", adapter.toString(), "--max-eval-samples", Integer.toString(EVAL_SAMPLES));
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(adapter + " on all-minilm-l6-v2: " + EVAL_SAMPLES + " held-out sentences")
                .contains(String.format(Locale.ROOT, "accuracy %.4f | macro-F1 %.4f | loss %.4f", evaluation.accuracy(),
                        evaluation.macroF1(), evaluation.loss()));
    }

    @Test
    void aMissingFolderIsOneLine() {
        Path none = dir.resolve("none");
        CliRun run = CliRun.of("eval", "--adapter", none.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: no adapter checkpoint at " + none + ": the folder does not exist" + System.lineSeparator());
    }

    @Test
    void aMaxLengthBeyondTheModelsPositionsIsOneLineNamingTheLimit() {
        for (String command : new String[] {"eval", "predict"}) {
            CliRun run = command.equals("eval") ? CliRun.of("eval", "--adapter", adapter.toString(), "--max-length", "100000")
                    : CliRun.of("predict", "--adapter", adapter.toString(), "--max-length", "513", "fine");
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("peft: --max-length must be <= 512 (all-minilm-l6-v2's max_position_embeddings), got "
                    + (command.equals("eval") ? "100000" : "513") + System.lineSeparator());
        }
    }

    @Test
    void aDamagedWeightsFileIsOneLine() throws Exception {
        Path damaged = dir.resolve("damaged");
        Files.createDirectories(damaged);
        Files.copy(adapter.resolve("adapter_config.json"), damaged.resolve("adapter_config.json"));
        byte[] bytes = Files.readAllBytes(adapter.resolve("adapter_model.safetensors"));
        Files.write(damaged.resolve("adapter_model.safetensors"), Arrays.copyOf(bytes, bytes.length / 2));
        CliRun run = CliRun.of("predict", "--adapter", damaged.toString(), "fine");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: ").contains(damaged.resolve("adapter_model.safetensors").toString())
                .doesNotContain("\tat ").hasLineCount(1);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anAdapterOfAnotherBaseModelIsOneLineNamingTheKeyAndBothShapes() throws Exception {
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("adapter_config.json"),
                "{\"peft_type\": \"LORA\", \"r\": 2, \"target_modules\": [\"query\"], \"task_type\": \"SEQ_CLS\"}");
        String key = "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight";
        SafetensorsWriter.write(other.resolve("adapter_model.safetensors"), Map.of(
                key, new HostTensor(new long[] {2, 16}, new float[32]),
                "base_model.model.classifier.weight", new HostTensor(new long[] {2, 16}, new float[32])));
        CliRun run = CliRun.of("eval", "--adapter", other.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + other.resolve("adapter_model.safetensors") + ": tensor '" + key
                + "' has shape [2, 16], the model's parameter 'bert.encoder.layer.0.attention.self.query.lora_A.default.weight'"
                + " has [2, 384]; was the adapter trained on another base model?" + System.lineSeparator());
    }

    @Test
    void anUnknownPeftTypeIsOneLineListingTheInstalledMethods() throws Exception {
        Path ia3 = dir.resolve("ia3");
        Files.createDirectories(ia3);
        Files.writeString(ia3.resolve("adapter_config.json"), "{\"peft_type\": \"IA3\", \"target_modules\": [\"query\"]}");
        Files.copy(adapter.resolve("adapter_model.safetensors"), ia3.resolve("adapter_model.safetensors"));
        CliRun run = CliRun.of("predict", "--adapter", ia3.toString(), "fine");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + ia3.resolve("adapter_config.json") + ": unknown peft_type 'IA3'; known: "
                + "[BOTTLENECK (bottleneck), FULL (full), LORA (lora), PREFIX_TUNING (prefix), PROMPT_TUNING (prompt)]"
                + System.lineSeparator());
    }
}
