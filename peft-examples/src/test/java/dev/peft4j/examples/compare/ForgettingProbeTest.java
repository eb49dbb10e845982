package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.peft4j.adapter.BottleneckConfig;
import dev.peft4j.adapter.BottleneckPlacement;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.examples.compare.ForgettingProbe.CacheStatus;
import dev.peft4j.examples.data.RottenTomatoes;
import dev.peft4j.lora.LoraConfig;
import dev.peft4j.prefix.PrefixTuningConfig;
import dev.peft4j.prefix.PromptTuningConfig;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forgetting probe on the real all-MiniLM-L6-v2 with a SEQ_CLS head and 24 of the real probe
 * sentences: with the adapter disabled every PEFT method gives the base model's embeddings and
 * logits bit for bit (the enabled model does not), the check fails when a base weight moved, full
 * fine-tuning gets nulls, an untouched model has cosine exactly 1, and the cache round-trips and
 * refuses corrupt or mismatching files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForgettingProbeTest {

    private static final BundledModel MODEL = BundledModel.ALL_MINILM_L6_V2;
    private static final int SENTENCES = 24;
    private static final int BATCH = 8;
    private static final List<String> TASK = List.of("a gripping, beautifully acted film", "dull and lifeless",
            "the plot wanders but the cast holds it together");

    @TempDir
    Path tempDir;

    private Path sharedCache;
    private NDManager manager;
    private ImportedBert imported;
    private SentenceTokenizer tokenizer;
    private List<String> sentences;
    private PeftRuntime runtime;

    @BeforeAll
    void load(@TempDir Path classDir) throws Exception {
        sharedCache = classDir;
        manager = NDManager.newBaseManager();
        imported = MODEL.importWeights();
        tokenizer = MODEL.tokenizer(64);
        sentences = ProbeSentences.load(SENTENCES);
        runtime = PeftRuntime.discover();
    }

    @AfterAll
    void close() {
        tokenizer.close();
        manager.close();
    }

    private TransformerModel freshModel() {
        return TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, 2, manager);
    }

    private ForgettingProbe.Builder probe(TransformerModel model, Path cacheDir) {
        return ForgettingProbe.builder().setModel(model).setTokenizer(tokenizer).setSentences(sentences).optTaskSentences(TASK)
                .optCacheDir(cacheDir).optBatchSize(BATCH).optIdentitySentences(8).optModelName(MODEL.modelName());
    }

    private HostTensor taskLogits(java.util.function.Function<ai.djl.ndarray.NDList, ai.djl.ndarray.NDArray> forward,
            TransformerModel model) {
        return ProbeBatches.byLength(TASK, tokenizer, BATCH).run(tokenizer, model.manager(), forward);
    }

    /** Moves every trainable value by U(-0.05, 0.05): LoRA's B, adapters' up-projections, prompts and the head's copy. */
    private static void perturbTrainable(PeftModel peft) {
        SplittableRandom random = new SplittableRandom(7);
        peft.trainableParameters().values().forEach(parameter -> {
            float[] values = parameter.getArray().toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] += (float) random.nextDouble(-0.05, 0.05);
            }
            parameter.getArray().set(values);
        });
    }

    private static void nudge(PeftModel peft, String parameterPath, float delta) {
        Parameter parameter = Parameters.byName(peft.baseModel().root()).get(parameterPath);
        assertThat(parameter).as(parameterPath).isNotNull();
        float[] values = parameter.getArray().toFloatArray();
        values[0] += delta;
        parameter.getArray().set(values);
    }

    Stream<Arguments> methods() {
        return Stream.of(
                Arguments.of("lora", LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "value").build()),
                Arguments.of("bottleneck", BottleneckConfig.of(BottleneckPlacement.HOULSBY)),
                Arguments.of("prompt", PromptTuningConfig.defaults()),
                Arguments.of("prefix", PrefixTuningConfig.defaults()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void theDisabledAdapterGivesTheBaseModelBitForBitAndTheEnabledOneDoesNot(String name, PeftConfig config) {
        TransformerModel base = freshModel();
        Block originalHead = base.module("classifier");
        ForgettingProbe probe = probe(base, sharedCache).prepare();
        HostTensor baseLogits = taskLogits(inputs -> base.forward(inputs, false).head(), base);
        try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer)) {
            perturbTrainable(peft);
            var head = (ModulesToSaveWrapper) peft.baseModel().module("classifier");
            assertThat(head.original()).isSameAs(originalHead);

            MethodResult.Forgetting forgetting = probe.measure(peft);

            assertThat(forgetting.corpus()).isEqualTo("uncertainty-conll2010.csv");
            assertThat(forgetting.sentences()).isEqualTo(SENTENCES);
            assertThat(forgetting.disabledEmbeddingsIdentical()).isTrue();
            assertThat(forgetting.disabledLogitsIdentical()).isTrue();
            assertThat(forgetting.meanCosine()).isLessThan(1.0).isGreaterThan(-1.0);
            assertThat(forgetting.minCosine()).isLessThanOrEqualTo(forgetting.meanCosine());
            HostTensor enabledLogits = taskLogits(inputs -> peft.forward(inputs, false).head(), base);
            assertThat(ForgettingProbe.bitIdentical(enabledLogits, baseLogits)).isFalse();
            try (var disabled = peft.disableAdapter()) {
                HostTensor disabledLogits = taskLogits(inputs -> peft.forward(inputs, false).head(), base);
                assertThat(ForgettingProbe.bitIdentical(disabledLogits, baseLogits)).isTrue();
            }
        }
    }

    @Test
    void loraTrainedForOneUpdateKeepsTheDisabledModelIdentical() {
        TransformerModel base = freshModel();
        ForgettingProbe probe = probe(base, sharedCache).prepare();
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "value").build();
        try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer)) {
            List<TrainingExample> examples;
            try {
                examples = RottenTomatoes.load().stream().skip(1995).limit(10).map(r -> new TrainingExample(r.text(), r.label()))
                        .toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            var recipe = new TrainingRecipe(5e-3, 1, 8, 64, 0L, 0.0, null, null, null);
            Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(recipe).optProgressBar(false).build()
                    .train(examples.subList(0, 8), examples.subList(8, 10));
            float[] loraB = Parameters.byName(peft.baseModel().root())
                    .get("bert.encoder.layer.0.attention.self.query.lora_B.default.weight").getArray().toFloatArray();
            assertThat(loraB).as("lora_B after training").isNotEqualTo(new float[loraB.length]);

            MethodResult.Forgetting forgetting = probe.measure(peft);

            assertThat(forgetting.disabledEmbeddingsIdentical()).isTrue();
            assertThat(forgetting.disabledLogitsIdentical()).isTrue();
            assertThat(forgetting.meanCosine()).isLessThan(1.0);
            assertThat(probe.measureSeconds()).isPositive();
        }
    }

    @Test
    void aMovedBaseWeightMakesTheIdentityCheckFail() {
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "value").build();
        TransformerModel base = freshModel();
        ForgettingProbe probe = probe(base, sharedCache).prepare();
        try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer)) {
            nudge(peft, "classifier.original_module.weight", 1e-3f);
            MethodResult.Forgetting headMoved = probe.measure(peft);
            assertThat(headMoved.disabledEmbeddingsIdentical()).isTrue();
            assertThat(headMoved.disabledLogitsIdentical()).as("the original head moved").isFalse();

            nudge(peft, "bert.encoder.layer.0.attention.output.dense.weight", 1e-3f);
            MethodResult.Forgetting encoderMoved = probe.measure(peft);
            assertThat(encoderMoved.disabledEmbeddingsIdentical()).isFalse();
            assertThat(encoderMoved.disabledLogitsIdentical()).isFalse();
        }
    }

    @Test
    void fullFineTuningGetsNullsAndAnUntouchedModelHasCosineExactlyOne() {
        TransformerModel base = freshModel();
        ForgettingProbe probe = probe(base, sharedCache).prepare();
        try (PeftModel peft = runtime.getPeftModel(base, new FullFineTuningConfig(), ConfigOrigin.USER, tokenizer)) {
            MethodResult.Forgetting untouched = probe.measure(peft);
            assertThat(untouched.meanCosine()).isEqualTo(1.0);
            assertThat(untouched.minCosine()).isEqualTo(1.0);
            assertThat(untouched.disabledEmbeddingsIdentical()).isNull();
            assertThat(untouched.disabledLogitsIdentical()).isNull();

            nudge(peft, "bert.encoder.layer.5.output.dense.weight", 0.5f);
            MethodResult.Forgetting moved = probe.measure(peft);
            assertThat(moved.meanCosine()).isLessThan(1.0);
            assertThat(moved.disabledEmbeddingsIdentical()).isNull();
        }
    }

    @Test
    void theCacheRoundTripsAndACorruptOrMismatchingFileIsRecomputed() throws Exception {
        Path cacheDir = tempDir.resolve("cache");
        try (TransformerModel model = freshModel()) {
            ForgettingProbe computed = probe(model, cacheDir).prepare();
            assertThat(computed.cacheStatus()).isEqualTo(CacheStatus.MISS);
            assertThat(computed.baseEmbeddings().shape()).containsExactly(SENTENCES, 384);
            Path file = computed.cacheFile();
            assertThat(file).isRegularFile().hasParent(cacheDir);

            ForgettingProbe cached = probe(model, cacheDir).prepare();
            assertThat(cached.cacheStatus()).isEqualTo(CacheStatus.HIT);
            assertThat(cached.cacheFile()).isEqualTo(file);
            assertThat(ForgettingProbe.bitIdentical(cached.baseEmbeddings(), computed.baseEmbeddings())).isTrue();

            byte[] valid = Files.readAllBytes(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (valid[valid.length - 3] ^ 0x10)}), valid.length - 3);
            }
            ForgettingProbe recomputed = probe(model, cacheDir).prepare();
            assertThat(recomputed.cacheStatus()).as("a flipped bit in the data").isEqualTo(CacheStatus.INVALID);
            assertThat(ForgettingProbe.bitIdentical(recomputed.baseEmbeddings(), computed.baseEmbeddings())).isTrue();
            assertThat(Files.readAllBytes(file)).as("rewritten").isEqualTo(valid);

            Files.write(file, java.util.Arrays.copyOf(valid, valid.length / 2));
            assertThat(probe(model, cacheDir).prepare().cacheStatus()).as("a truncated file").isEqualTo(CacheStatus.INVALID);
            assertThat(probe(model, cacheDir).prepare().cacheStatus()).isEqualTo(CacheStatus.HIT);

            ForgettingProbe otherBatch = probe(model, cacheDir).optBatchSize(4).prepare();
            assertThat(otherBatch.cacheStatus()).isEqualTo(CacheStatus.MISS);
            assertThat(otherBatch.cacheFile()).isNotEqualTo(file);
            Files.copy(file, otherBatch.cacheFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(probe(model, cacheDir).optBatchSize(4).prepare().cacheStatus())
                    .as("a file whose metadata says batch 8").isEqualTo(CacheStatus.INVALID);

            var value = Parameters.byName(model.root()).get("bert.embeddings.LayerNorm.weight").getArray();
            float[] values = value.toFloatArray();
            values[0] += 1e-3f;
            value.set(values);
            ForgettingProbe otherWeights = probe(model, cacheDir).prepare();
            assertThat(otherWeights.cacheStatus()).as("other weights, other key").isEqualTo(CacheStatus.MISS);
            assertThat(otherWeights.cacheFile()).isNotEqualTo(file);
        }
    }

    @Test
    void measureRefusesAnotherModelAndADisabledAdapter() {
        TransformerModel base = freshModel();
        ForgettingProbe probe = probe(base, sharedCache).prepare();
        LoraConfig config = LoraConfig.builder().r(2).targetModules("query").build();
        try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer);
                PeftModel other = runtime.getPeftModel(freshModel(), config, ConfigOrigin.USER, tokenizer)) {
            assertThatThrownBy(() -> probe.measure(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the forgetting probe was prepared on another model; measure the PeftModel that "
                            + "PeftRuntime.getPeftModel made from the prepared TransformerModel");
            try (var disabled = peft.disableAdapter()) {
                assertThatThrownBy(() -> probe.measure(peft)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("measure the trained model with its adapter enabled, not inside disableAdapter()");
            }
        }
    }

    @Test
    void badSettingsNameTheValue() {
        try (TransformerModel model = freshModel()) {
            assertThatThrownBy(() -> probe(model, tempDir).optBatchSize(0).prepare())
                    .hasMessage("the forgetting probe's batch size must be > 0, got 0");
            assertThatThrownBy(() -> probe(model, tempDir).optIdentitySentences(-1).prepare())
                    .hasMessage("the forgetting probe's identity sentences must be >= 0, got -1");
            assertThatThrownBy(() -> probe(model, tempDir).setSentences(List.of()).prepare())
                    .hasMessage("the forgetting probe needs at least one sentence");
        }
    }
}
