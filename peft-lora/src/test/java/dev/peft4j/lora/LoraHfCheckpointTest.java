package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.TinyTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapter folders written exactly as HF PEFT writes them for a BERT model ({@code save_pretrained}
 * of a {@code get_peft_model(BertForSequenceClassification, LoraConfig(...))}): HF's key names and
 * shapes ({@code lora_A (r, in)}, {@code lora_B (out, r)}, the classifier under its original key),
 * and a config with every key HF PEFT 0.17 writes. Outputs are checked against the base model whose
 * weights are merged by hand, {@code W + (lora_alpha / r) B A}; mismatches against their exact messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoraHfCheckpointTest {

    private static final List<String> SENTENCES = List.of("good film", "the plot was very dull and poor", "awful");
    private static final String ROOT = "base_model.model.bert.encoder.layer.";

    private NDManager manager;
    private SentenceTokenizer tokenizer;
    private final PeftRuntime runtime = PeftRuntime.of(List.of(new LoraProvider()));

    @BeforeAll
    void start() {
        manager = NDManager.newBaseManager();
        tokenizer = TinyTask.tokenizer();
    }

    @AfterAll
    void stop() {
        tokenizer.close();
        manager.close();
    }

    /** HF PEFT 0.17's {@code adapter_config.json} for a SEQ_CLS LoRA on BERT, r 4, alpha 16. */
    static String hfConfig(String taskType) {
        return """
                {
                  "alpha_pattern": {},
                  "auto_mapping": null,
                  "base_model_name_or_path": "prajjwal1/bert-tiny",
                  "bias": "none",
                  "corda_config": null,
                  "eva_config": null,
                  "exclude_modules": null,
                  "fan_in_fan_out": false,
                  "inference_mode": true,
                  "init_lora_weights": true,
                  "layer_replication": null,
                  "layers_pattern": null,
                  "layers_to_transform": null,
                  "loftq_config": {},
                  "lora_alpha": 16,
                  "lora_bias": false,
                  "lora_dropout": 0.1,
                  "megatron_config": null,
                  "megatron_core": "megatron.core",
                  "modules_to_save": %s,
                  "peft_type": "LORA",
                  "qalora_group_size": 16,
                  "r": 4,
                  "rank_pattern": {},
                  "revision": null,
                  "target_modules": [
                    "value",
                    "query"
                  ],
                  "target_parameters": null,
                  "task_type": "%s",
                  "trainable_token_indices": null,
                  "use_dora": false,
                  "use_qalora": false,
                  "use_rslora": false
                }
                """.formatted(taskType.equals("SEQ_CLS") ? "[\n    \"classifier\",\n    \"score\"\n  ]" : "null", taskType);
    }

    /** Random LoRA factors for both layers' query and value (and the classifier for SEQ_CLS), HF key names. */
    static Map<String, HostTensor> hfTensors(String root, int r, boolean classifier, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            for (String module : List.of("query", "value")) {
                String prefix = root + layer + ".attention.self." + module;
                out.put(prefix + ".lora_A.weight", randomTensor(random, r, 16));
                out.put(prefix + ".lora_B.weight", randomTensor(random, 16, r));
            }
        }
        if (classifier) {
            out.put("base_model.model.classifier.weight", randomTensor(random, 2, 16));
            out.put("base_model.model.classifier.bias", randomTensor(random, 2));
        }
        return out;
    }

    private static HostTensor randomTensor(SplittableRandom random, long... shape) {
        float[] values = new float[Math.toIntExact(HostTensor.elementCount(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-0.5, 0.5);
        }
        return new HostTensor(shape, values);
    }

    private static Path write(Path dir, String config, Map<String, HostTensor> tensors) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("adapter_config.json"), config);
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    /** The base model with {@code W += scaling * B A} for every saved pair, and the saved head, computed in Java. */
    private TransformerModel mergedByHand(TaskType task, String root, String encoderPrefix, Map<String, HostTensor> tensors,
            double scaling) {
        TransformerModel reference = TinyBert.create(manager, task);
        Map<String, Parameter> parameters = Parameters.byName(reference.root());
        tensors.forEach((key, a) -> {
            if (!key.endsWith(".lora_A.weight")) {
                return;
            }
            HostTensor b = tensors.get(key.replace(".lora_A.", ".lora_B."));
            String module = key.substring(root.length(), key.length() - ".lora_A.weight".length());
            Parameter weight = parameters.get(encoderPrefix + "encoder.layer." + module + ".weight");
            float[] w = weight.getArray().toFloatArray();
            int out = Math.toIntExact(b.shape()[0]);
            int rank = Math.toIntExact(a.shape()[0]);
            int in = Math.toIntExact(a.shape()[1]);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int k = 0; k < rank; k++) {
                        sum += (double) b.values()[o * rank + k] * a.values()[k * in + i];
                    }
                    w[o * in + i] = (float) (w[o * in + i] + scaling * sum);
                }
            }
            weight.getArray().set(w);
        });
        if (tensors.containsKey("base_model.model.classifier.weight")) {
            parameters.get("classifier.weight").getArray().set(tensors.get("base_model.model.classifier.weight").values());
            parameters.get("classifier.bias").getArray().set(tensors.get("base_model.model.classifier.bias").values());
        }
        return reference;
    }

    private float[] outputs(java.util.function.Function<ai.djl.ndarray.NDList, ai.djl.ndarray.NDList> forward) {
        try (NDManager scope = manager.newSubManager(); var ignored = Autograd.noGrad()) {
            return forward.apply(tokenizer.encode(SENTENCES).toNDList(scope)).head().toFloatArray();
        }
    }

    private static double maxDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    @Test
    void anHfSeqClsCheckpointGivesTheOutputsOfTheHandMergedModel(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = hfTensors(ROOT, 4, true, 1);
        write(dir, hfConfig("SEQ_CLS"), tensors);
        try (PeftModel peft = runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir);
                TransformerModel reference = mergedByHand(TaskType.SEQ_CLS, ROOT, "bert.", tensors, 16.0 / 4)) {
            float[] logits = outputs(inputs -> peft.forward(inputs, false));
            float[] expected = outputs(inputs -> reference.forward(inputs, false));
            assertThat(maxDifference(logits, expected)).as("logits vs the hand-merged model").isLessThan(1e-5);
            try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS)) {
                assertThat(maxDifference(outputs(inputs -> base.forward(inputs, false)), expected))
                        .as("the adapter changes the logits").isGreaterThan(1e-2);
            }
            assertThat(peft.trainableParameterCount()).isZero();
            assertThat(peft.adapterWeights()).isEqualTo(tensors);
            assertThat(((LoraConfig) peft.config()).r()).isEqualTo(4);
        }
    }

    @Test
    void anHfFeatureExtractionCheckpointUsesTheBareEncoderRoot(@TempDir Path dir) throws IOException {
        String root = "base_model.model.encoder.layer.";
        Map<String, HostTensor> tensors = hfTensors(root, 4, false, 2);
        write(dir, hfConfig("FEATURE_EXTRACTION"), tensors);
        try (PeftModel peft = runtime.fromPretrained(TinyBert.create(manager, TaskType.FEATURE_EXTRACTION), dir);
                TransformerModel reference = mergedByHand(TaskType.FEATURE_EXTRACTION, root, "", tensors, 16.0 / 4)) {
            assertThat(maxDifference(outputs(inputs -> peft.forward(inputs, false)),
                    outputs(inputs -> reference.forward(inputs, false)))).isLessThan(1e-5);
        }
    }

    @Test
    void aMinimalConfigTakesHfDefaults(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = hfTensors(ROOT, 8, true, 3);
        write(dir, "{\"peft_type\": \"LORA\", \"target_modules\": [\"query\", \"value\"]}", tensors);
        try (PeftModel peft = runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir);
                TransformerModel reference = mergedByHand(TaskType.SEQ_CLS, ROOT, "bert.", tensors, 8.0 / 8)) {
            assertThat(maxDifference(outputs(inputs -> peft.forward(inputs, false)),
                    outputs(inputs -> reference.forward(inputs, false)))).isLessThan(1e-5);
            assertThat(peft.config()).isEqualTo(LoraConfig.builder().targetModules("query", "value").build());
        }
    }

    @Test
    void loadingForTrainingLeavesTheAdapterTrainable(@TempDir Path dir) throws IOException {
        write(dir, hfConfig("SEQ_CLS"), hfTensors(ROOT, 4, true, 4));
        try (PeftModel peft = runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir, true)) {
            assertThat(peft.trainableParameterCount()).isEqualTo(2 * 2 * (4 * 16 + 16 * 4) + 16 * 2 + 2);
        }
    }

    @Test
    void theTrainerUpdatesEveryTensorOfAnAdapterLoadedForTraining(@TempDir Path dir) throws IOException {
        write(dir, hfConfig("SEQ_CLS"), hfTensors(ROOT, 4, true, 10));
        try (PeftModel peft = runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir, true)) {
            Map<String, HostTensor> before = peft.adapterWeights();
            Map<String, HostTensor> encoderBefore = peft.baseModel().encoderWeights();
            dev.peft4j.core.train.Trainer.builder().setModel(peft).setTokenizer(tokenizer)
                    .setRecipe(TinyTask.recipe(1e-2, 1, 16, 7, 1)).optProgressBar(false).build()
                    .train(TinyTask.examples(1, 32), TinyTask.examples(2, 16));
            Map<String, HostTensor> after = peft.adapterWeights();
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((key, tensor) -> assertThat(after.get(key)).as("trained " + key).isNotEqualTo(tensor));
            encoderBefore.forEach((key, tensor) -> {
                if (!key.contains("lora_")) {
                    assertThat(peft.baseModel().encoderWeights().get(key)).as("frozen " + key).isEqualTo(tensor);
                }
            });
        }
    }

    @Test
    void aTensorOfAnotherBaseModelNamesTheKeyAndBothShapes(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = hfTensors(ROOT, 4, true, 5);
        tensors.put(ROOT + "0.attention.self.query.lora_A.weight", new HostTensor(new long[] {4, 8}, new float[32]));
        write(dir, hfConfig("SEQ_CLS"), tensors);
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("adapter_model.safetensors") + ": tensor '" + ROOT + "0.attention.self.query.lora_A.weight'"
                        + " has shape [4, 8], the model's parameter 'bert.encoder.layer.0.attention.self.query.lora_A.default.weight'"
                        + " has [4, 16]; was the adapter trained on another base model?");
    }

    @Test
    void aKeyThatMapsToNoModuleIsNamed(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = hfTensors(ROOT, 4, true, 6);
        tensors.put(ROOT + "5.attention.self.query.lora_A.weight", new HostTensor(new long[] {4, 16}, new float[64]));
        write(dir, hfConfig("SEQ_CLS"), tensors);
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("adapter_model.safetensors") + ": tensor '" + ROOT + "5.attention.self.query.lora_A.weight'"
                        + " maps to no parameter of the adapted model (LORA adapter 'default' on bert SEQ_CLS with 2 layers,"
                        + " hidden 16); the file holds [base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.value.lora_A.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight, ... (11 in all)];"
                        + " the LORA adapter expects [base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.value.lora_A.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight, ... (10 in all)]");
    }

    @Test
    void aMissingTensorIsNamed(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = hfTensors(ROOT, 4, true, 7);
        tensors.remove(ROOT + "1.attention.self.value.lora_B.weight");
        tensors.remove("base_model.model.classifier.bias");
        write(dir, hfConfig("SEQ_CLS"), tensors);
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("adapter_model.safetensors") + ": missing tensor '" + ROOT
                        + "1.attention.self.value.lora_B.weight' for parameter"
                        + " 'bert.encoder.layer.1.attention.self.value.lora_B.default.weight' [16, 4] (and 1 more)");
    }

    @Test
    void aPeftTypeNoInstalledModuleProvidesListsTheInstalledOnes(@TempDir Path dir) throws IOException {
        write(dir, "{\"peft_type\": \"IA3\", \"target_modules\": [\"query\"]}", hfTensors(ROOT, 4, true, 8));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(dir.resolve("adapter_config.json") + ": unknown peft_type 'IA3'; known: " + runtime.registry().describeInstalled());
    }

    @Test
    void aDamagedWeightsFileIsNamed(@TempDir Path dir) throws IOException {
        write(dir, hfConfig("SEQ_CLS"), hfTensors(ROOT, 4, true, 9));
        Path weights = dir.resolve("adapter_model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining(weights.toString());
    }

    @Test
    void adapterNamesCannotLeaveTheFolder(@TempDir Path dir) {
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir, "../other", false, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("adapter name '../other' is not allowed; use letters, digits, '_' and '-' (it names a sub-folder"
                        + " of the output folder and a module path segment)");
    }
}
