package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import dev.peft4j.core.io.hf.TransformerModelDirectory;
import dev.peft4j.core.io.AtomicDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Merging LoRA and DoRA adapters into real all-MiniLM-L6-v2 weights: merged outputs equal unmerged
 * ones, unmerging restores the base weights, safe merges refuse non-finite weights, and
 * {@code mergeAndUnload} leaves a plain model computing the same logits (HF PEFT's
 * {@code merge_adapter}, {@code unmerge_adapter}, {@code merge_and_unload}).
 */
class LoraMergeTest {

    private static final List<String> SENTENCES = List.of(
            "A man is eating food.",
            "The girl is carrying a baby.",
            "A woman is playing violin.",
            "Two men pushed carts through the woods.",
            "the acting is superb and the story never lets go",
            "a dull, lifeless film that wastes its cast");
    private static final String QUERY0 = "encoder.layer.0.attention.self.query";

    private static NDManager manager;
    private static ImportedBert miniLm;
    private static SentenceTokenizer tokenizer;

    @BeforeAll
    static void start() throws IOException {
        manager = NDManager.newBaseManager();
        miniLm = BundledModel.ALL_MINILM_L6_V2.importWeights();
        tokenizer = BundledModel.ALL_MINILM_L6_V2.tokenizer(64);
    }

    @AfterAll
    static void stop() {
        tokenizer.close();
        manager.close();
    }

    /** "a": plain LoRA r 8 on query/value; "b": DoRA r 4 on query/key/output dense; both non-zero. */
    private static PeftModel twoAdapters(TaskType task) {
        TransformerModel base = TransformerModel.pretrainedBert(miniLm, task, 2, manager);
        LoraConfig plain = LoraConfig.builder().r(8).loraAlpha(16).targetModules("query", "value")
                .initLoraWeights(InitLoraWeights.RANDOM).build();
        PeftModel peft = LoraTesting.RUNTIME.getPeftModel(base, plain, ConfigOrigin.USER, null, "a");
        peft.addAdapter("b", LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "key", "dense").useDora(true)
                .initLoraWeights(InitLoraWeights.RANDOM).build());
        SplittableRandom random = new SplittableRandom(11);
        Parameters.byName(peft.baseModel().root()).forEach((path, parameter) -> {
            if (path.contains("lora_B") || path.contains("lora_magnitude_vector")) {
                perturb(parameter, random, path.contains("lora_B") ? 0.2 : 0.05, path.contains("lora_magnitude_vector"));
            }
        });
        return peft;
    }

    /** B: uniform values in +-amplitude; m: multiplied by 1 +- amplitude, so DoRA differs from plain LoRA. */
    private static void perturb(Parameter parameter, SplittableRandom random, double amplitude, boolean magnitude) {
        float[] values = parameter.getArray().toFloatArray();
        for (int i = 0; i < values.length; i++) {
            double noise = (random.nextDouble() * 2 - 1) * amplitude;
            values[i] = magnitude ? (float) (values[i] * (1 + noise)) : (float) noise;
        }
        parameter.getArray().set(values);
    }

    private static float[] run(PeftModel peft) {
        try (NDManager scope = manager.newSubManager(); var noGrad = Autograd.noGrad()) {
            return peft.forward(tokenizer.encode(SENTENCES).toNDList(scope), false).head().toFloatArray();
        }
    }

    private static float[] run(TransformerModel model) {
        try (NDManager scope = manager.newSubManager(); var noGrad = Autograd.noGrad()) {
            return model.forward(tokenizer.encode(SENTENCES).toNDList(scope), false).head().toFloatArray();
        }
    }

    private static double maxAbs(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static Map<String, HostTensor> baseWeights(PeftModel peft) {
        Map<String, HostTensor> all = Parameters.stateDict(peft.baseModel().root());
        all.keySet().removeIf(key -> key.contains("lora_") || key.contains("modules_to_save"));
        return all;
    }

    private static double maxAbs(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        return a.keySet().stream().mapToDouble(key -> maxAbs(a.get(key).values(), b.get(key).values())).max().orElse(0);
    }

    @Test
    void mergedOutputEqualsUnmergedAndUnmergeRestoresTheBaseWeights() {
        try (PeftModel peft = twoAdapters(TaskType.FEATURE_EXTRACTION)) {
            peft.setActiveAdapters(List.of("a", "b"));
            Map<String, HostTensor> base = baseWeights(peft);
            float[] baseOut;
            try (var off = peft.disableAdapter()) {
                baseOut = run(peft);
            }
            float[] unmerged = run(peft);
            assertThat(maxAbs(unmerged, baseOut)).as("the adapters change the output").isGreaterThan(1e-2);

            peft.merge();
            assertThat(peft.mergedAdapters()).containsExactly("a", "b");
            assertThat(maxAbs(baseWeights(peft), base)).as("the weights changed").isGreaterThan(1e-3);
            double merged = maxAbs(run(peft), unmerged);
            System.out.printf("MiniLM, LoRA a + DoRA b: max |merged - unmerged| = %.2e over %d values%n", merged, unmerged.length);
            assertThat(merged).isLessThan(1e-4);

            Map<String, HostTensor> mergedWeights = baseWeights(peft);
            peft.merge(List.of("a"));
            assertThat(baseWeights(peft)).as("merging again does nothing").isEqualTo(mergedWeights);
            assertThatThrownBy(() -> peft.deleteAdapter("b")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("adapter 'b' is merged into the base weights of '" + QUERY0 + "'; unmerge() before deleting it"
                            + " (nothing was changed)");
            assertThat(peft.adapterNames()).containsExactly("a", "b");
            assertThat(baseWeights(peft)).isEqualTo(mergedWeights);

            peft.unmerge();
            assertThat(peft.mergedAdapters()).isEmpty();
            double restored = maxAbs(baseWeights(peft), base);
            System.out.printf("MiniLM: max |unmerged weight - base weight| = %.2e%n", restored);
            assertThat(restored).isLessThanOrEqualTo(1e-6);
            assertThat(maxAbs(run(peft), unmerged)).isLessThan(1e-5);
        }
    }

    @Test
    void mergingASubsetKeepsTheOtherActiveAdaptersApplied() {
        try (PeftModel peft = twoAdapters(TaskType.FEATURE_EXTRACTION)) {
            peft.setActiveAdapters(List.of("a", "b"));
            float[] unmerged = run(peft);
            peft.merge(List.of("b"));
            assertThat(peft.mergedAdapters()).containsExactly("b");
            assertThat(maxAbs(run(peft), unmerged)).isLessThan(1e-4);
            peft.merge(List.of("a"));
            assertThat(maxAbs(run(peft), unmerged)).isLessThan(1e-4);
            peft.unmerge();
            peft.setActiveAdapter("a");
            float[] onlyA = run(peft);
            peft.merge(List.of("a"));
            assertThat(maxAbs(run(peft), onlyA)).isLessThan(1e-4);
        }
    }

    @Test
    void aDisabledForwardUnmergesAndComputesTheBase() {
        try (PeftModel peft = twoAdapters(TaskType.FEATURE_EXTRACTION)) {
            Map<String, HostTensor> base = baseWeights(peft);
            float[] baseOut;
            try (var off = peft.disableAdapter()) {
                baseOut = run(peft);
            }
            peft.setActiveAdapters(List.of("a", "b"));
            peft.merge();
            try (var off = peft.disableAdapter()) {
                assertThat(run(peft)).containsExactly(baseOut);
            }
            assertThat(peft.mergedAdapters()).isEmpty();
            assertThat(baseWeights(peft)).isEqualTo(base);
        }
    }

    @Test
    void aSafeMergeRefusesNonFiniteWeightsNamingTheAdapterAndTheModule() {
        try (PeftModel peft = twoAdapters(TaskType.FEATURE_EXTRACTION)) {
            Map<String, HostTensor> base = baseWeights(peft);
            LoraLayer query = (LoraLayer) peft.baseModel().module("encoder.layer.3.attention.self.query");
            float[] b = query.loraB("b").getArray().toFloatArray();
            b[5] = Float.NaN;
            query.loraB("b").getArray().set(b);
            assertThatThrownBy(() -> peft.merge(List.of("a", "b"), true)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("safe merge refused at module 'encoder.layer.3.attention.self.query': adapter 'b' would make the"
                            + " merged weight contain NaN or infinite values; the base weights are unchanged");
            assertThat(peft.mergedAdapters()).isEmpty();
            assertThat(baseWeights(peft)).isEqualTo(base);
            peft.safeMerge(List.of("a"));
            assertThat(peft.mergedAdapters()).containsExactly("a");
        }
    }

    @Test
    void mergeAndUnloadReturnsAPlainModelWithTheMergedLogits() throws IOException {
        try (PeftModel peft = twoAdapters(TaskType.SEQ_CLS)) {
            peft.setActiveAdapter("b");
            float[] expected = run(peft);
            assertThatThrownBy(() -> peft.setActiveAdapters(List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class);
            TransformerModel plain = peft.mergeAndUnload();
            assertThat(plain).isSameAs(peft.baseModel());
            assertThat(plain.modules().values()).noneMatch(block -> block instanceof AdapterLayer);
            assertThat(plain.modules().keySet()).noneMatch(path -> path.contains("lora_") || path.contains("base_layer")
                    || path.contains("modules_to_save") || path.contains("original_module"));
            assertThat(plain.module("bert." + QUERY0)).isInstanceOf(Linear.class);
            assertThat(plain.module("classifier")).isInstanceOf(Linear.class);
            double difference = maxAbs(run(plain), expected);
            System.out.printf("MiniLM SEQ_CLS, DoRA b: max |unloaded logits - adapter logits| = %.2e%n", difference);
            assertThat(difference).isLessThan(1e-4);
            assertThat(peft.adapterNames()).isEmpty();
            Path saved = Files.createTempDirectory("peft4j-unloaded-");
            try (NDManager scope = NDManager.newBaseManager()) {
                TransformerModelDirectory.save(plain, saved.resolve("model"), null);
                try (TransformerModel reloaded = TransformerModelDirectory.load(saved.resolve("model"), scope)) {
                    assertThat(run(reloaded)).isEqualTo(run(plain));
                }
            } finally {
                AtomicDirectory.deleteTree(saved);
            }
        }
    }
}
