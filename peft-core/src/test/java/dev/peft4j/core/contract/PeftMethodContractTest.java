package dev.peft4j.core.contract;

import static dev.peft4j.core.contract.ContractSupport.absSum;
import static dev.peft4j.core.contract.ContractSupport.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TokenBatch;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.CrossEntropy;
import dev.peft4j.core.train.Evaluator;
import dev.peft4j.core.train.TinyTask;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainingResult;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.runtime.SaveOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every PEFT method module runs (ARCHITECTURE.md: "the shared contract suite per
 * method"): subclass it in the method module's tests, implement the abstract methods, and override
 * a hook where the method needs it. The suite checks, on {@link TinyBert} ({@code SEQ_CLS}, 2 labels):
 * <ul>
 *   <li>{@code PeftRuntime.discover()} finds the provider by {@code peft_type} and alias, and both
 *       names are well-formed and unique among the installed methods;</li>
 *   <li>each config survives a JSON round trip (strict and HF reads) unchanged;</li>
 *   <li>every {@link #invalidConfigs()} case, and an unknown key, fails with its exact message;</li>
 *   <li>after injection the base is frozen (frozen scalars = the base model's count) and only
 *       method parameters ({@link #isMethodParameter}) and {@code modules_to_save} copies train
 *       (full fine-tuning: everything trains); only they receive gradients, each a non-zero one;</li>
 *   <li>trainable parameters equal the closed forms on TinyBert and on all-MiniLM-L6-v2's shape
 *       ({@link #MINILM_SHAPE}, built without weights only for counting);</li>
 *   <li>a fresh adapter is a no-op where {@link #freshAdapterIsNoOp()} promises it, and a disabled
 *       adapter computes the base model (methods that freeze the base);</li>
 *   <li>in inference mode a padded batch gives each sentence's logits alone;</li>
 *   <li>a short run on {@link TinyTask} lowers the held-out loss and leaves every frozen parameter
 *       bit-identical;</li>
 *   <li>every {@link #roundTripConfigs()} config survives {@code savePretrained} -> {@code fromPretrained}
 *       into a fresh base with bit-equal logits, for inference (nothing trainable) and for training
 *       (the adapter trainable), in HF's format and with a prompt encoder's raw parameters, and a
 *       named adapter round-trips through its sub-folder;</li>
 *   <li>a second adapter ({@code addAdapter}) is refused naming the method when
 *       {@link dev.peft4j.core.spi.PeftMethod#supportsMultipleAdapters()} is false; otherwise it is
 *       inactive and frozen until activated, then alone trainable, and deleting it restores the
 *       model's parameters;</li>
 *   <li>{@code merge()} keeps the logits (within 1e-5), {@code unmerge()} restores them exactly and
 *       {@code mergeAndUnload()} leaves no adapter block, or, for a method without mergeable layers,
 *       both are refused naming the method and nothing changes.</li>
 * </ul>
 * One instance serves all tests of a subclass ({@link TestInstance.Lifecycle#PER_CLASS}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PeftMethodContractTest {

    /** all-MiniLM-L6-v2's shape: vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536, 512 positions. */
    public static final BertConfig MINILM_SHAPE = new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2,
            1e-12, 0, List.of("BertModel"));

    /** Sentences of different lengths in {@link TinyTask}'s vocabulary. */
    private static final List<String> SENTENCES = List.of(
            "good film", "the movie was really very good and nice", "awful", "this plot is so dull and poor");

    private NDManager manager;
    private SentenceTokenizer tokenizer;

    /** @return the method's provider, as its services file lists it */
    protected abstract PeftMethodProvider<?> provider();

    /** @return a valid config that adapts {@link TinyBert} (hidden 16, 2 layers, 4 heads, intermediate 32) */
    protected abstract PeftConfig tinyConfig();

    /** @return the closed-form trainable count of {@link #tinyConfig()} on TinyBert {@code SEQ_CLS}, classifier copy (34) included */
    protected abstract long tinyTrainableParameters();

    /** @return a config for {@link #MINILM_SHAPE} (often the recipe's, e.g. LoRA r 8 on query and value) */
    protected abstract PeftConfig miniLmConfig();

    /** @return the closed-form trainable count of {@link #miniLmConfig()} on the MiniLM shape, classifier copy (770) included */
    protected abstract long miniLmTrainableParameters();

    /** @return at least one config the strict reader rejects, with its exact message */
    protected abstract List<InvalidConfig> invalidConfigs();

    /** @return whether a freshly injected adapter leaves the outputs unchanged (within {@link #noOpTolerance()}) */
    protected abstract boolean freshAdapterIsNoOp();

    /** @return whether the method freezes the base model (only full fine-tuning does not) */
    protected abstract boolean freezesBase();

    /**
     * @param path a trainable parameter's dotted path, e.g. {@code bert.encoder.layer.0.attention.self.query.lora_A.default.weight}
     * @return whether it is one of the method's own parameters ({@code modules_to_save} copies are accepted anyway)
     */
    protected abstract boolean isMethodParameter(String path);

    /**
     * Hook: the model inputs for a tokenized batch, as the method's model expects them.
     *
     * @param batch the padded batch
     * @param scope where the arrays are created
     * @return {@code input_ids, attention_mask, token_type_ids} by default
     */
    protected NDList inputs(TokenBatch batch, NDManager scope) {
        return batch.toNDList(scope);
    }

    /** @return the largest absolute logit difference a no-op may show, default 1e-6 */
    protected double noOpTolerance() {
        return 1e-6;
    }

    /** @return the largest absolute logit difference between a padded batch and single sentences, default 1e-5 */
    protected double paddingTolerance() {
        return 1e-5;
    }

    /** @return the short training run: lr 1e-2, 3 epochs of 64 examples, batch 16 */
    protected TrainingRecipe shortRunRecipe() {
        return TinyTask.recipe(1e-2, 3, 16, 7, 1);
    }

    /**
     * Hook: adapts a model; by default through a runtime holding only {@link #provider()}, as a user config.
     *
     * @param model the base model, owned by the result
     * @param config the config
     * @return the adapted model
     */
    protected PeftModel adapt(TransformerModel model, PeftConfig config) {
        return PeftRuntime.of(List.of(provider())).getPeftModel(model, config, ConfigOrigin.USER);
    }

    /**
     * Hook: the configs whose checkpoints must round-trip (e.g. LoRA plain, rsLoRA and DoRA).
     *
     * @return {@link #tinyConfig()} by default
     */
    protected List<PeftConfig> roundTripConfigs() {
        return List.of(tinyConfig());
    }

    @BeforeAll
    void startContract() {
        manager = NDManager.newBaseManager();
        tokenizer = TinyTask.tokenizer();
    }

    @AfterAll
    void stopContract() {
        tokenizer.close();
        manager.close();
    }

    private PeftModel tinyAdapted() {
        return adapt(TinyBert.create(manager, TaskType.SEQ_CLS), tinyConfig());
    }

    /** Logits {@code (sentences, 2)} flattened, in inference mode without gradient recording. */
    private float[] logits(Function<NDList, NDList> forward, List<String> sentences) {
        try (NDManager scope = manager.newSubManager(); var ignored = Autograd.noGrad()) {
            return forward.apply(inputs(tokenizer.encode(sentences), scope)).head().toFloatArray();
        }
    }

    private float[] logits(PeftModel model, List<String> sentences) {
        return logits(inputs -> model.forward(inputs, false), sentences);
    }

    private float[] baseLogits(TransformerModel base) {
        return logits(inputs -> base.forward(inputs, false), SENTENCES);
    }

    @Test
    void isDiscoveredByServiceLoaderWithUniqueNames() {
        PeftMethodProvider<?> provider = provider();
        assertThat(provider.peftType()).matches("[A-Z][A-Z0-9_]*");
        assertThat(provider.alias()).matches("[a-z][a-z0-9-]*");
        PeftRuntime runtime = PeftRuntime.discover();
        assertThat(runtime.provider(provider.peftType())).isInstanceOf(provider.getClass());
        assertThat(runtime.provider(provider.alias())).isInstanceOf(provider.getClass());
        assertThat(runtime.installed()).filteredOn(installed -> installed.getClass() == provider.getClass()).hasSize(1);
        assertThat(runtime.installed()).filteredOn(installed -> installed.getClass() != provider.getClass())
                .as("other installed methods").noneMatch(other -> other.peftType().equalsIgnoreCase(provider.peftType())
                        || other.alias().equalsIgnoreCase(provider.alias())
                        || other.peftType().equalsIgnoreCase(provider.alias())
                        || other.alias().equalsIgnoreCase(provider.peftType()));
        assertThat(provider.configType()).isEqualTo(tinyConfig().getClass()).isEqualTo(miniLmConfig().getClass());
    }

    @Test
    void configsSurviveAJsonRoundTrip() {
        PeftRuntime runtime = PeftRuntime.discover();
        for (PeftConfig config : List.of(tinyConfig(), miniLmConfig())) {
            String json = runtime.writeConfig(config);
            assertThat(json).contains("\"peft_type\": \"" + provider().peftType() + "\"");
            assertThat(runtime.readUserConfig(json)).as(json).isEqualTo(config);
            assertThat(runtime.readHfConfig(json)).as(json).isEqualTo(config);
        }
    }

    @TestFactory
    Stream<DynamicTest> invalidConfigsFailWithExactMessages() {
        PeftRuntime runtime = PeftRuntime.discover();
        String peftType = provider().peftType();
        List<InvalidConfig> cases = new ArrayList<>(invalidConfigs());
        assertThat(cases).as("invalidConfigs()").isNotEmpty();
        cases.add(InvalidConfig.of("\"no_such_key\": 1",
                "unknown key 'no_such_key' in " + peftType + " config; known: " + runtime.configKeys(peftType)));
        return cases.stream().map(invalid -> DynamicTest.dynamicTest(invalid.json(peftType), () ->
                assertThatThrownBy(() -> runtime.readUserConfig(invalid.json(peftType)))
                        .isInstanceOf(InvalidConfigException.class)
                        .hasMessage(invalid.message())));
    }

    @Test
    void injectionFreezesTheBaseAndTrainsOnlyMethodParameters() {
        assertThat(PeftRuntime.of(List.of(provider())).createMethod(tinyConfig()).freezesBaseModel())
                .as("freezesBaseModel()").isEqualTo(freezesBase());
        long baseTotal;
        try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            baseTotal = Parameters.count(base.root(), false);
        }
        try (PeftModel peft = tinyAdapted()) {
            Map<String, Parameter> trainable = peft.trainableParameters();
            if (!freezesBase()) {
                assertThat(peft.trainableParameterCount()).isEqualTo(peft.totalParameterCount()).isEqualTo(baseTotal);
                return;
            }
            assertThat(peft.totalParameterCount() - peft.trainableParameterCount()).as("frozen scalars").isEqualTo(baseTotal);
            assertThat(trainable.keySet()).as("trainable parameters").allMatch(
                    name -> isMethodParameter(name) || name.contains(".modules_to_save.") || name.startsWith("modules_to_save."));
            assertThat(trainable.keySet()).as("method parameters").anyMatch(this::isMethodParameter);
        }
    }

    @Test
    void onlyTrainableParametersReceiveGradients() {
        try (PeftModel peft = tinyAdapted(); NDManager scope = manager.newSubManager()) {
            ContractSupport.perturbTrainable(peft, 11, 0.05);
            List<TrainingExample> batch = TinyTask.examples(3, 4);
            NDList inputs = inputs(tokenizer.encode(batch.stream().map(TrainingExample::text).toList()), scope);
            NDArray labels = scope.create(batch.stream().mapToLong(TrainingExample::label).toArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(CrossEntropy.mean(peft.forward(inputs, new DropoutSeed(5, 0)).head(), labels));
            }
            Map<String, Parameter> trainable = peft.trainableParameters();
            Parameters.byName(peft.baseModel().root()).forEach((name, parameter) -> {
                if (trainable.containsKey(name)) {
                    try (NDArray gradient = parameter.getArray().getGradient()) {
                        assertThat(absSum(gradient.toFloatArray())).as("gradient of " + name).isPositive();
                    }
                } else {
                    assertThat(parameter.getArray().hasGradient()).as("frozen " + name + " has a gradient").isFalse();
                }
            });
            Autograd.zeroGradients(trainable.values());
        }
    }

    @Test
    void trainableCountMatchesTheClosedFormOnTinyBert() {
        try (PeftModel peft = tinyAdapted()) {
            assertThat(peft.trainableParameterCount()).as(peft.trainableParametersLine()).isEqualTo(tinyTrainableParameters());
        }
    }

    @Test
    void trainableCountMatchesTheClosedFormOnTheMiniLmShape() {
        try (PeftModel peft = adapt(TransformerModel.bert(MINILM_SHAPE, TaskType.SEQ_CLS, 2, manager), miniLmConfig())) {
            assertThat(peft.trainableParameterCount()).as(peft.trainableParametersLine()).isEqualTo(miniLmTrainableParameters());
        }
    }

    @Test
    void freshAdapterLeavesTheOutputsUnchanged() {
        assumeTrue(freshAdapterIsNoOp(), "the method does not promise a no-op fresh adapter");
        try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS); PeftModel peft = tinyAdapted()) {
            assertThat(maxAbsDifference(logits(peft, SENTENCES), baseLogits(base))).isLessThanOrEqualTo(noOpTolerance());
        }
    }

    @Test
    void disabledAdapterComputesTheBaseModel() {
        assumeTrue(freezesBase(), "full fine-tuning has no adapter to disable");
        try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS); PeftModel peft = tinyAdapted()) {
            ContractSupport.perturbTrainable(peft, 13, 0.05);
            float[] expected = baseLogits(base);
            assertThat(maxAbsDifference(logits(peft, SENTENCES), expected)).as("the perturbed adapter acts").isPositive();
            try (var disabled = peft.disableAdapter()) {
                assertThat(maxAbsDifference(logits(peft, SENTENCES), expected)).isLessThanOrEqualTo(noOpTolerance());
            }
        }
    }

    @Test
    void paddedBatchGivesEachSentenceItsOwnLogits() {
        try (PeftModel peft = tinyAdapted()) {
            ContractSupport.perturbTrainable(peft, 17, 0.05);
            float[] batched = logits(peft, SENTENCES);
            int labels = batched.length / SENTENCES.size();
            for (int i = 0; i < SENTENCES.size(); i++) {
                float[] alone = logits(peft, List.of(SENTENCES.get(i)));
                float[] row = Arrays.copyOfRange(batched, i * labels, (i + 1) * labels);
                assertThat(maxAbsDifference(row, alone)).as(SENTENCES.get(i)).isLessThanOrEqualTo(paddingTolerance());
            }
        }
    }

    @Test
    void shortRunLowersTheLossAndLeavesFrozenParametersBitIdentical() {
        List<TrainingExample> train = TinyTask.examples(1, 64);
        List<TrainingExample> heldOut = TinyTask.examples(2, 32);
        try (PeftModel peft = tinyAdapted()) {
            TrainingRecipe recipe = shortRunRecipe();
            Map<String, float[]> before = ContractSupport.snapshot(peft);
            double lossBefore = Evaluator.evaluate(peft, tokenizer, heldOut, recipe.batchSize(), 2).loss();
            TrainingResult result = Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(recipe)
                    .optProgressBar(false).build().train(train, heldOut);
            assertThat(result.lastEpoch().evaluation().loss()).as("held-out loss after vs before").isLessThan(lossBefore);
            Map<String, float[]> after = ContractSupport.snapshot(peft);
            var trainable = peft.trainableParameters().keySet();
            before.forEach((name, values) -> {
                if (!trainable.contains(name)) {
                    assertThat(after.get(name)).as("frozen " + name).containsExactly(values);
                }
            });
            assertThat(trainable).as("trained parameters that moved")
                    .anyMatch(name -> maxAbsDifference(after.get(name), before.get(name)) > 0);
        }
    }

    @TestFactory
    Stream<DynamicTest> savedAdaptersLoadIntoAFreshBaseWithBitEqualOutputs(@TempDir Path dir) {
        List<DynamicTest> tests = new ArrayList<>();
        List<PeftConfig> configs = roundTripConfigs();
        for (int c = 0; c < configs.size(); c++) {
            PeftConfig config = configs.get(c);
            for (boolean raw : new boolean[] {false, true}) {
                for (boolean trainable : new boolean[] {false, true}) {
                    Path folder = dir.resolve("config" + c + (raw ? "-raw" : "") + (trainable ? "-trainable" : ""));
                    String name = PeftRuntime.of(List.of(provider())).writeConfig(config).replaceAll("\\s+", " ")
                            + (raw ? ", raw parameters" : "") + (trainable ? ", trainable" : ", inference");
                    tests.add(DynamicTest.dynamicTest(name, () -> roundTrip(config, folder, raw, trainable)));
                }
            }
        }
        return tests.stream();
    }

    private void roundTrip(PeftConfig config, Path folder, boolean raw, boolean trainable) throws IOException {
        PeftRuntime runtime = PeftRuntime.of(List.of(provider()));
        try (PeftModel saved = runtime.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), config, ConfigOrigin.USER)) {
            ContractSupport.perturbTrainable(saved, 23, 0.05);
            float[] expected = logits(saved, SENTENCES);
            Map<String, HostTensor> weights = saved.adapterWeights(raw);
            SaveOptions options = raw ? SaveOptions.defaults().withPromptEncoderParameters() : SaveOptions.defaults();
            assertThat(saved.savePretrained(folder, options.withBaseModel("tiny-bert"))).isEqualTo(folder);
            assertThat(AdapterCheckpoint.read(folder).weights().tensors()).isEqualTo(weights);
            try (PeftModel loaded = runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), folder, trainable)) {
                assertThat(logits(loaded, SENTENCES)).as("logits after loading").containsExactly(expected);
                assertThat(loaded.adapterWeights(raw)).as("tensors saved again").isEqualTo(weights);
                if (!trainable) {
                    assertThat(loaded.trainableParameterCount()).as("trainable after loading for inference").isZero();
                } else if (raw || loaded.baseModel().promptEncoders().isEmpty()) {
                    assertThat(loaded.trainableParameters().keySet()).as("trainable after loading for training")
                            .isEqualTo(saved.trainableParameters().keySet());
                } else {
                    assertThat(loaded.trainableParameterCount()).as("trainable after loading for training").isPositive();
                }
            }
        }
    }

    @Test
    void aNamedAdapterIsSavedInItsSubFolderAndLoadsFromThere(@TempDir Path dir) throws IOException {
        PeftRuntime runtime = PeftRuntime.of(List.of(provider()));
        try (PeftModel saved = runtime.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), tinyConfig(), ConfigOrigin.USER,
                null, "sentiment")) {
            ContractSupport.perturbTrainable(saved, 29, 0.05);
            float[] expected = logits(saved, SENTENCES);
            assertThat(saved.savePretrained(dir)).isEqualTo(dir.toAbsolutePath().normalize().resolve("sentiment"));
            assertThat(Files.exists(dir.resolve("sentiment").resolve(AdapterCheckpoint.CONFIG_FILE))).isTrue();
            assertThat(saved.adapterWeights().keySet()).noneMatch(key -> key.contains("sentiment"));
            try (PeftModel loaded = runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir, "sentiment",
                    false, null)) {
                assertThat(logits(loaded, SENTENCES)).containsExactly(expected);
                assertThat(loaded.adapterName()).isEqualTo("sentiment");
            }
        }
    }

    @Test
    void aSecondAdapterIsSupportedOrRefusedNamingTheMethod() {
        PeftRuntime runtime = PeftRuntime.of(List.of(provider()));
        try (PeftModel peft = runtime.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), tinyConfig(), ConfigOrigin.USER)) {
            ContractSupport.perturbTrainable(peft, 31, 0.05);
            float[] first = logits(peft, SENTENCES);
            var parametersBefore = Parameters.byName(peft.baseModel().root()).keySet();
            if (!runtime.createMethod(tinyConfig()).supportsMultipleAdapters()) {
                assertThatThrownBy(() -> peft.addAdapter("second", tinyConfig())).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("peft_type " + provider().peftType() + " holds one adapter per model; cannot add adapter 'second'"
                                + " beside [default] (delete it first, or adapt another copy of the base model)");
                assertThat(peft.adapterNames()).containsExactly("default");
                assertThat(Parameters.byName(peft.baseModel().root()).keySet()).isEqualTo(parametersBefore);
                assertThat(logits(peft, SENTENCES)).containsExactly(first);
                return;
            }
            peft.addAdapter("second", tinyConfig());
            assertThat(peft.adapterNames()).containsExactly("default", "second");
            assertThat(logits(peft, SENTENCES)).as("an inactive adapter does not compute").containsExactly(first);
            peft.setActiveAdapter("second");
            assertThat(peft.trainableParameters().keySet()).allMatch(path -> path.matches("(.*\\.)?second(\\..*)?"));
            assertThat(peft.trainableParameterCount()).isEqualTo(tinyTrainableParameters());
            peft.setActiveAdapter("default");
            assertThat(logits(peft, SENTENCES)).containsExactly(first);
            peft.deleteAdapter("second");
            assertThat(Parameters.byName(peft.baseModel().root()).keySet()).isEqualTo(parametersBefore);
            assertThat(peft.trainableParameterCount()).isEqualTo(tinyTrainableParameters());
        }
    }

    @Test
    void mergeKeepsTheLogitsOrIsRefusedNamingTheMethod() {
        try (PeftModel peft = tinyAdapted()) {
            ContractSupport.perturbTrainable(peft, 37, 0.05);
            float[] expected = logits(peft, SENTENCES);
            try {
                peft.merge();
            } catch (IllegalArgumentException refused) {
                assertThat(refused).hasMessageStartingWith("adapter 'default' (peft_type " + provider().peftType() + ") cannot be merged: ")
                        .hasMessageEndingWith("; only LoRA and DoRA adapters merge");
                assertThat(peft.mergedAdapters()).isEmpty();
                assertThat(logits(peft, SENTENCES)).containsExactly(expected);
                assertThatThrownBy(peft::mergeAndUnload).isInstanceOf(IllegalArgumentException.class);
                assertThat(logits(peft, SENTENCES)).containsExactly(expected);
                return;
            }
            assertThat(peft.mergedAdapters()).containsExactly("default");
            assertThat(maxAbsDifference(logits(peft, SENTENCES), expected)).isLessThan(1e-5);
            peft.unmerge();
            assertThat(logits(peft, SENTENCES)).containsExactly(expected);
            TransformerModel plain = peft.mergeAndUnload();
            assertThat(plain.modules().values()).noneMatch(block -> block instanceof dev.peft4j.core.spi.AdapterLayer);
            assertThat(maxAbsDifference(logits(inputs -> plain.forward(inputs, false), SENTENCES), expected)).isLessThan(1e-5);
        }
    }
}
