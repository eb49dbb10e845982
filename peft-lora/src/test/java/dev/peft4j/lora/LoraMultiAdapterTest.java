package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.RUNTIME;
import static dev.peft4j.lora.LoraTesting.lora;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.BertForSequenceClassification;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import dev.peft4j.core.train.TinyTask;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several LoRA adapters on one TinyBert: add, switch, delete, save and load (HF PEFT's semantics). */
class LoraMultiAdapterTest {

    private static final String LAYER0 = "bert.encoder.layer.0.attention.self.";
    private static final LoraConfig FIRST = LoraConfig.builder().r(4).targetModules("query", "value")
            .initLoraWeights(InitLoraWeights.RANDOM).build();
    private static final LoraConfig SECOND = LoraConfig.builder().r(2).loraAlpha(4).targetModules("query", "key").useDora(true)
            .initLoraWeights(InitLoraWeights.RANDOM).build();

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static PeftModel twoAdapters(TaskType task) {
        PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, task), FIRST, ConfigOrigin.USER);
        peft.addAdapter("b", SECOND);
        return peft;
    }

    private static float[] run(PeftModel peft) {
        try (NDManager scope = manager.newSubManager()) {
            NDList out = peft.forward(LoraTesting.batch(scope), false);
            return out.head().toFloatArray();
        }
    }

    @Test
    void addAdapterInjectsBesideTheFirstWithItsOwnRankTargetsAndHead() {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            assertThat(peft.adapterNames()).containsExactly("default", "b");
            assertThat(peft.activeAdapters()).containsExactly("default");
            assertThat(peft.adapterName()).isEqualTo("default");
            assertThat(lora(peft, LAYER0 + "query").adapterNames()).containsExactly("default", "b");
            assertThat(lora(peft, LAYER0 + "query").rank("b")).isEqualTo(2);
            assertThat(lora(peft, LAYER0 + "query").scaling("b")).isEqualTo(2.0);
            assertThat(lora(peft, LAYER0 + "key").adapterNames()).containsExactly("b");
            assertThat(lora(peft, LAYER0 + "value").adapterNames()).containsExactly("default");
            assertThat(((ModulesToSaveWrapper) peft.baseModel().module("classifier")).adapterNames()).containsExactly("default", "b");
            assertThat(Parameters.byName(peft.baseModel().root())).containsKeys(LAYER0 + "query.lora_A.b.weight",
                    LAYER0 + "query.lora_magnitude_vector.b", LAYER0 + "key.lora_B.b.weight", "classifier.modules_to_save.b.weight");
            // a new adapter is not active and not trainable (HF's add_adapter)
            assertThat(peft.trainableParameters().keySet()).allMatch(name -> name.contains(".default"));
            assertThat(peft.config("b")).isEqualTo(SECOND);
            assertThat(peft.adapterWeights("b", false).keySet()).contains(
                    "base_model.model." + LAYER0 + "query.lora_A.weight", "base_model.model." + LAYER0 + "key.lora_magnitude_vector",
                    "base_model.model.classifier.weight", "base_model.model.classifier.bias").hasSize(2 * 2 * 3 + 2);
        }
    }

    @Test
    void setActiveAdapterRoutesTheForwardAndTrainsOnlyTheActiveAdapter() {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            float[] first = run(peft);
            float[] base;
            try (var disabled = peft.disableAdapter()) {
                base = run(peft);
            }
            peft.setActiveAdapter("b");
            assertThat(peft.activeAdapters()).containsExactly("b");
            assertThat(peft.adapterName()).isEqualTo("b");
            assertThat(peft.config()).isEqualTo(SECOND);
            float[] second = run(peft);
            assertThat(second).isNotEqualTo(first).isNotEqualTo(base);
            assertThat(peft.trainableParameters().keySet()).isNotEmpty().allMatch(name -> name.contains(".b.") || name.endsWith(".b"));
            try (var disabled = peft.disableAdapter()) {
                assertThat(run(peft)).containsExactly(base);
            }
            peft.setActiveAdapter("default");
            assertThat(run(peft)).containsExactly(first);
        }
    }

    @Test
    void severalActiveLoraAdaptersAddTheirTerms() {
        LoraConfig plain = LoraConfig.builder().r(2).targetModules("query", "key").initLoraWeights(InitLoraWeights.RANDOM).build();
        try (PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.FEATURE_EXTRACTION), FIRST, ConfigOrigin.USER)) {
            peft.addAdapter("b", plain);
            LoraLayer query = lora(peft, "encoder.layer.0.attention.self.query");
            float[] x = {0.5f, -1f, 0.25f, 2f, 1f, 0f, -0.5f, 1.5f, 0.1f, 0.2f, 0.3f, 0.4f, -0.1f, -0.2f, -0.3f, -0.4f};
            float[] base = layerOutput(query, x, peft, List.of("default"), true);
            float[] onlyA = layerOutput(query, x, peft, List.of("default"), false);
            float[] onlyB = layerOutput(query, x, peft, List.of("b"), false);
            float[] both = layerOutput(query, x, peft, List.of("default", "b"), false);
            assertThat(peft.activeAdapters()).containsExactly("default", "b");
            for (int i = 0; i < both.length; i++) {
                assertThat(both[i]).isCloseTo(onlyA[i] + onlyB[i] - base[i], within(1e-5f));
            }
            assertThat(peft.trainableParameters().keySet()).anyMatch(name -> name.contains(".b.")).anyMatch(name -> name.contains(".default."));
        }
    }

    private static float[] layerOutput(LoraLayer layer, float[] x, PeftModel peft, List<String> active, boolean disabled) {
        peft.setActiveAdapters(active);
        try (NDManager scope = manager.newSubManager(); var off = disabled ? peft.disableAdapter() : null) {
            var input = scope.create(x, new ai.djl.ndarray.types.Shape(1, 16));
            return layer.forward(new ai.djl.training.ParameterStore(scope, false), new NDList(input), false).head().toFloatArray();
        }
    }

    @Test
    void twoActiveAdaptersWithTheirOwnClassifierCopyAreRefusedAsHf() {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            assertThatThrownBy(() -> peft.setActiveAdapters(List.of("default", "b"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapters [default, b] each own a modules_to_save copy of 'classifier'; only one of them can be active"
                            + " at a time (HF PEFT refuses several active adapters with modules_to_save)");
            assertThat(peft.activeAdapters()).containsExactly("default");
        }
    }

    @Test
    void badNamesAndUnknownAdaptersAreRefusedNamingTheValueAndTheRule() {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            assertThatThrownBy(() -> peft.addAdapter("b", FIRST)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter name 'b' is already used; adapters: [default, b]");
            for (String bad : new String[] {"", " ", "a.b"}) {
                assertThatThrownBy(() -> peft.addAdapter(bad, FIRST)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("adapter name '" + bad + "' is not allowed; use letters, digits, '_' and '-' (it names a"
                                + " sub-folder of the output folder and a module path segment)");
            }
            assertThatThrownBy(() -> peft.addAdapter("__base__", FIRST)).hasMessage("adapter name '__base__' is reserved:"
                    + " in mixed-adapter batches it marks the rows that use the base model; choose another name");
            for (String reserved : new String[] {"weight", "bias", "lora_A", "lora_B", "base_layer", "modules_to_save"}) {
                assertThatThrownBy(() -> peft.addAdapter(reserved, FIRST)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("adapter name '" + reserved + "' is reserved: it is a module or parameter name segment"
                                + " (weight, bias, base_layer, lora_A, lora_B, lora_dropout, lora_magnitude_vector,");
            }
            assertThatThrownBy(() -> peft.setActiveAdapter("c")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no adapter 'c'; adapters: [default, b]");
            assertThatThrownBy(() -> peft.setActiveAdapters(List.of("b", "b"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("active adapters [b, b] name an adapter twice");
            assertThatThrownBy(() -> peft.setActiveAdapters(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("active adapters must name at least one adapter; adapters: [default, b]");
            assertThatThrownBy(() -> peft.deleteAdapter("c")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no adapter 'c'; adapters: [default, b]");
            assertThat(peft.adapterNames()).containsExactly("default", "b");
        }
    }

    @Test
    void anotherPeftTypeAndATrainedBiasAreRefused() {
        PeftRuntime runtime = PeftRuntime.of(List.of(new LoraProvider(), new FullFineTuningProvider()));
        try (PeftModel peft = runtime.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), FIRST, ConfigOrigin.USER)) {
            Map<String, Parameter> before = Parameters.byName(peft.baseModel().root());
            assertThatThrownBy(() -> peft.addAdapter("full", new FullFineTuningConfig())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter 'full' has peft_type FULL, but this model's adapters [default] have peft_type LORA; one model"
                            + " holds adapters of one peft_type (as HF PEFT)");
            LoraConfig withBias = LoraConfig.builder().bias(LoraConfig.Bias.ALL).build();
            assertThatThrownBy(() -> peft.addAdapter("biased", withBias)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter 'biased' trains base parameters (e.g. lora.bias 'all' or 'lora_only'), which every adapter"
                            + " shares; with several adapters every adapter must leave the base frozen (bias 'none'), as HF PEFT");
            assertThat(peft.adapterNames()).containsExactly("default");
            assertThat(Parameters.byName(peft.baseModel().root()).keySet()).isEqualTo(before.keySet());
            assertThat(peft.trainableParameters().keySet()).allMatch(name -> name.contains(".default"));
        }
    }

    @Test
    void deletingTheActiveAdapterActivatesTheNextAndTheLastLeavesTheBase() {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            peft.setActiveAdapter("b");
            float[] second = run(peft);
            float[] base;
            try (var disabled = peft.disableAdapter()) {
                base = run(peft);
            }
            peft.setActiveAdapter("default");
            peft.deleteAdapter("default");
            assertThat(peft.adapterNames()).containsExactly("b");
            assertThat(peft.activeAdapters()).containsExactly("b");
            assertThat(Parameters.byName(peft.baseModel().root()).keySet()).noneMatch(name -> name.contains(".default"));
            assertThat(peft.baseModel().module(LAYER0 + "value")).as("unwrapped").isInstanceOf(dev.peft4j.core.model.Linear.class);
            assertThat(run(peft)).containsExactly(second);
            assertThat(peft.trainableParameters().keySet()).isNotEmpty().allMatch(name -> name.contains(".b"));

            peft.deleteAdapter("b");
            assertThat(peft.adapterNames()).isEmpty();
            assertThat(peft.activeAdapters()).isEmpty();
            assertThat(peft.trainableParameterCount()).isZero();
            assertThat(run(peft)).containsExactly(base);
            assertThat(peft.baseModel().modules().keySet()).noneMatch(path -> path.contains("lora_") || path.contains("modules_to_save"));
            assertThatThrownBy(peft::adapterName).isInstanceOf(IllegalStateException.class)
                    .hasMessage("this model holds no adapter (all were deleted); add one with addAdapter");
            peft.addAdapter("c", FIRST);
            assertThat(peft.adapterNames()).containsExactly("c");
        }
    }

    @Test
    void savePretrainedWritesEveryAdapterAndLoadAdapterRestoresThem(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> first;
        Map<String, HostTensor> second;
        float[] firstOut;
        float[] secondOut;
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            randomizeClassifier(peft, "b");
            first = peft.adapterWeights("default", false);
            second = peft.adapterWeights("b", false);
            firstOut = run(peft);
            peft.setActiveAdapter("b");
            secondOut = run(peft);
            peft.setActiveAdapter("default");
            assertThat(peft.savePretrained(dir)).isEqualTo(dir);
        }
        assertThat(dir.resolve("adapter_config.json")).exists();
        assertThat(dir.resolve("b/adapter_model.safetensors")).exists();
        assertThat(Files.readString(dir.resolve("b/adapter_config.json"))).contains("\"use_dora\": true");
        try (PeftModel loaded = RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir)) {
            loaded.loadAdapter(dir.resolve("b"), "b");
            assertThat(loaded.adapterNames()).containsExactly("default", "b");
            assertThat(loaded.activeAdapters()).containsExactly("default");
            assertThat(loaded.config("b")).isEqualTo(SECOND);
            assertThat(loaded.adapterWeights("default", false)).isEqualTo(first);
            assertThat(loaded.adapterWeights("b", false)).isEqualTo(second);
            assertThat(run(loaded)).containsExactly(firstOut);
            loaded.setActiveAdapter("b");
            assertThat(run(loaded)).containsExactly(secondOut);
            assertThat(loaded.trainableParameterCount()).as("loaded for inference").isZero();
        }
    }

    @Test
    void aFailedLoadAdapterLeavesTheModelAsItWas(@TempDir Path dir) throws IOException {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            peft.savePretrained(dir);
        }
        try (PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), SECOND, ConfigOrigin.USER)) {
            Map<String, Parameter> before = Parameters.byName(peft.baseModel().root());
            // the saved r=4 tensors no longer fit a config that says r=3
            Files.writeString(dir.resolve("adapter_config.json"), Files.readString(dir.resolve("adapter_config.json"))
                    .replace("\"r\": 4", "\"r\": 3"));
            assertThatThrownBy(() -> peft.loadAdapter(dir, "other")).isInstanceOf(dev.peft4j.core.io.ModelFormatException.class)
                    .hasMessageContaining("lora_A.other.weight' has [3, 16]");
            assertThat(peft.adapterNames()).containsExactly("default");
            assertThat(Parameters.byName(peft.baseModel().root()).keySet()).isEqualTo(before.keySet());
        }
    }

    private static void randomizeClassifier(PeftModel peft, String adapter) {
        var head = (dev.peft4j.core.model.Linear) ((ModulesToSaveWrapper) peft.baseModel().module("classifier")).trainable(adapter);
        float[] values = head.weight().getArray().toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i + 1);
        }
        head.weight().getArray().set(values);
    }

    @Test
    void anAdapterMayHaveItsOwnNumberOfLabelsAndKeepsItThroughSaveAndLoad(@TempDir Path dir) throws IOException {
        float[] trained;
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS); SentenceTokenizer tokenizer = TinyTask.tokenizer()) {
            assertThatThrownBy(() -> peft.addAdapter("one", FIRST, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("num_labels must be >= 2, got 1");
            peft.addAdapter("three", FIRST, 3);
            var classifier = (BertForSequenceClassification) peft.baseModel().root();
            assertThat(classifier.numLabels()).isEqualTo(2);
            assertThat(run(peft)).hasSize(2 * 2);
            peft.setActiveAdapter("three");
            assertThat(classifier.numLabels()).isEqualTo(3);
            List<TrainingExample> examples = TinyTask.examples(1, 30).stream()
                    .map(example -> new TrainingExample(example.text(), example.text().length() % 3)).toList();
            Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(TinyTask.recipe(1e-2, 1, 16, 7, 1))
                    .optProgressBar(false).build().train(examples, examples.subList(0, 8));
            trained = run(peft);
            assertThat(trained).hasSize(2 * 3);
            peft.savePretrained(dir);
        }
        try (PeftModel loaded = RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir)) {
            loaded.loadAdapter(dir.resolve("three"), "three");
            loaded.setActiveAdapter("three");
            assertThat(run(loaded)).containsExactly(trained);
        }
        try (PeftModel features = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.FEATURE_EXTRACTION), FIRST,
                ConfigOrigin.USER)) {
            assertThatThrownBy(() -> features.addAdapter("three", FIRST, 3)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("num_labels is for SEQ_CLS models; this model is FEATURE_EXTRACTION");
        }
    }

    @Test
    void allLinearOnAModelWithLoraLayersWrapsTheBaseLinearsOnly() {
        try (PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), FIRST, ConfigOrigin.USER)) {
            peft.addAdapter("all", LoraConfig.builder().r(2).targetModules(dev.peft4j.core.target.TargetModules.allLinear()).build());
            assertThat(lora(peft, LAYER0 + "query").adapterNames()).containsExactly("default", "all");
            assertThat(lora(peft, "bert.encoder.layer.1.output.dense").adapterNames()).containsExactly("all");
            assertThat(peft.baseModel().modules().entrySet()).filteredOn(entry -> entry.getValue() instanceof LoraLayer)
                    .extracting(Map.Entry::getKey).hasSize(2 * 6).noneMatch(path -> path.contains("lora_") || path.contains("classifier"));
        }
    }
}
