package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.AdapterCombinations;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.spi.AdapterCombination;
import dev.peft4j.core.spi.AdapterCombiner;
import dev.peft4j.core.spi.CombinedAdapter;
import dev.peft4j.core.spi.WeightedAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real LoRA adapters on TinyBert combined through LoRA's {@link AdapterCombiner}, written with
 * {@link AdapterCheckpoint} and loaded with {@code PeftRuntime.fromPretrained}: the loaded model
 * computes the base model whose weights were merged by hand with both adapters' weighted updates,
 * {@code W + sum_i w_i s_i B_i A_i}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoraWeightedAdapterCheckpointTest {

    private static final double WEIGHT_A = 0.6;
    private static final double WEIGHT_B = -1.3;

    /** r 4, alpha 8 (s 2) on query and value. */
    private final LoraConfig configA = LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "value")
            .initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).build();
    /** r 2, alpha 4, rsLoRA (s 4 / sqrt 2) on value and key: the union adds key. */
    private final LoraConfig configB = LoraConfig.builder().r(2).loraAlpha(4).useRslora(true).targetModules("value", "key")
            .initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).build();

    private NDManager manager;
    private Map<String, HostTensor> tensorsA;
    private Map<String, HostTensor> tensorsB;
    private final AdapterCombiner combiner = new LoraProvider().adapterCombiner().orElseThrow();

    @BeforeAll
    void trainTwoAdapters() {
        manager = NDManager.newBaseManager();
        try (PeftModel a = LoraTesting.adapt(manager, TaskType.FEATURE_EXTRACTION, configA);
                PeftModel b = LoraTesting.adapt(manager, TaskType.FEATURE_EXTRACTION, configB)) {
            tensorsA = a.adapterWeights();
            tensorsB = b.adapterWeights();
        }
    }

    @AfterAll
    void stop() {
        manager.close();
    }

    @Test
    void catAdapterSavesLoadsAndComputesTheWeightedSum(@TempDir Path dir) throws IOException {
        float[] loaded = saveAndRun(combine(AdapterCombination.of("mix", "cat")), dir);

        float[] expected = mergedByHand();
        float[] base = baseOutput();
        assertThat(maxDifference(loaded, expected)).isLessThan(1e-4);
        assertThat(maxDifference(expected, base)).as("the adapters change the output").isGreaterThan(1e-2);
    }

    @Test
    void svdAdapterWithFullRankIsExactToo(@TempDir Path dir) throws IOException {
        CombinedAdapter combined = combine(new AdapterCombination("mix", "svd", 6, null));
        assertThat(((LoraConfig) combined.config()).r()).isEqualTo(6);
        assertThat(maxDifference(saveAndRun(combined, dir), mergedByHand())).isLessThan(1e-4);
    }

    @Test
    void savedConfigIsAPlainAdapterOverTheUnionOfTargets(@TempDir Path dir) throws IOException {
        CombinedAdapter combined = combine(AdapterCombination.of("mix", "cat"));
        write(combined, dir);
        LoraConfig read = (LoraConfig) LoraTesting.RUNTIME.readHfConfig(AdapterCheckpoint.read(dir).configJson());
        assertThat(read.r()).isEqualTo(6);
        assertThat(read.loraAlpha()).isEqualTo(6.0);
        assertThat(read.useRslora()).isFalse();
        assertThat(read.targetModules().names()).containsExactly("query", "value", "key");
        combined.tensors().values().forEach(NDArray::close);
    }

    @Test
    void refusesNonLoraSourcesAndTwoHeads() {
        WeightedAdapter lora = new WeightedAdapter("a", configA, arrays(tensorsA), 1.0);
        WeightedAdapter full = new WeightedAdapter("f", new FullFineTuningConfig(), Map.of(), 1.0);
        assertThatThrownBy(() -> combiner.combine(List.of(lora, full), AdapterCombination.of("mix", "cat"), manager))
                .hasMessage("add_weighted_adapter combines LoRA adapters only, but adapter 'f' is a FullFineTuningConfig");

        Map<String, HostTensor> headA;
        Map<String, HostTensor> headB;
        try (PeftModel a = LoraTesting.adapt(manager, TaskType.SEQ_CLS, configA);
                PeftModel b = LoraTesting.adapt(manager, TaskType.SEQ_CLS, configB)) {
            headA = a.adapterWeights();
            headB = b.adapterWeights();
        }
        List<WeightedAdapter> sources = List.of(new WeightedAdapter("sentiment", configA, arrays(headA), 1.0),
                new WeightedAdapter("spam", configB, arrays(headB), 1.0));
        assertThatThrownBy(() -> combiner.combine(sources, AdapterCombination.of("mix", "cat"), manager))
                .hasMessageStartingWith("adapters 'sentiment' and 'spam' both save 'base_model.model.classifier.weight'");
    }

    @Test
    void argumentListsAreCheckedBeforeAnyLookup() {
        assertThatThrownBy(() -> WeightedAdapter.checkArguments(List.of(), List.of()))
                .hasMessage("add_weighted_adapter needs at least one adapter, got none");
        assertThatThrownBy(() -> WeightedAdapter.checkArguments(List.of("a", "b"), List.of(1.0, 1.0, 1.0)))
                .hasMessage("add_weighted_adapter got 2 adapters [a, b] but 3 weights [1.0, 1.0, 1.0]; give one weight per adapter");
        assertThatThrownBy(() -> WeightedAdapter.checkArguments(List.of("a", "b"), List.of(1.0, Double.NaN)))
                .hasMessage("weight for adapter 'b' must be a finite number, got NaN");
        assertThatThrownBy(() -> WeightedAdapter.checkArguments(List.of("a", "a"), List.of(1.0, 1.0)))
                .hasMessage("adapter 'a' is listed twice in [a, a]");
        assertThatThrownBy(() -> new AdapterCombination("mix", "svd", 0, null)).hasMessage("svd_rank must be > 0, got 0");
        assertThatThrownBy(() -> combiner.combine(List.of(new WeightedAdapter("a", configA, arrays(tensorsA), 1.0)),
                AdapterCombination.of("mix", "dare_ties"), manager))
                .hasMessage("unknown combination_type 'dare_ties'; known: [linear, cat, svd]");
    }

    @Test
    void classifierLogitsOfACombinedSeqClsAdapterCarryTheOneHead(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> headA;
        Map<String, HostTensor> bodyB = new LinkedHashMap<>();
        try (PeftModel a = LoraTesting.adapt(manager, TaskType.SEQ_CLS, configA);
                PeftModel b = LoraTesting.adapt(manager, TaskType.SEQ_CLS, configB)) {
            headA = new LinkedHashMap<>(a.adapterWeights());
            b.adapterWeights().forEach((key, tensor) -> {
                if (!key.contains("classifier")) {
                    bodyB.put(key, tensor);
                }
            });
        }
        HostTensor head = headA.get("base_model.model.classifier.weight");
        float[] trained = head.values().clone();
        for (int i = 0; i < trained.length; i++) {
            trained[i] = 3 * trained[i] + 0.01f * i;
        }
        HostTensor trainedHead = new HostTensor(head.shape(), trained);
        headA.put("base_model.model.classifier.weight", trainedHead);
        CombinedAdapter combined = combiner.combine(List.of(new WeightedAdapter("a", configA, arrays(headA), WEIGHT_A),
                new WeightedAdapter("b", configB, arrays(bodyB), WEIGHT_B)), AdapterCombination.of("mix", "cat"), manager);
        write(combined, dir);
        combined.tensors().values().forEach(NDArray::close);

        float[] loaded;
        try (PeftModel peft = LoraTesting.RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir);
                NDManager scope = manager.newSubManager()) {
            loaded = peft.forward(LoraTesting.batch(scope), false).head().toFloatArray();
        }
        float[] expected;
        try (TransformerModel base = TinyBert.create(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            Map<String, HostTensor> weights = new LinkedHashMap<>(Parameters.stateDict(base.root()));
            addUpdate(weights, headA, WEIGHT_A * 8.0 / 4);
            addUpdate(weights, bodyB, WEIGHT_B * 4.0 / Math.sqrt(2));
            weights.put("classifier.weight", trainedHead);
            Parameters.loadStateDict(base.root(), weights, true);
            expected = base.forward(LoraTesting.batch(scope), false).head().toFloatArray();
        }
        assertThat(loaded).hasSize(4);
        assertThat(maxDifference(loaded, expected)).isLessThan(1e-4);
    }

    @Test
    void runtimeRoutesToTheFirstSourcesMethod() {
        PeftRuntime both = PeftRuntime.of(List.of(new LoraProvider(), new FullFineTuningProvider()));
        CombinedAdapter combined = AdapterCombinations.combine(both.registry(),
                List.of(new WeightedAdapter("a", configA, arrays(tensorsA), 2.0)), AdapterCombination.of("twice", "linear"), manager);
        assertThat(((LoraConfig) combined.config()).r()).isEqualTo(4);
        combined.tensors().values().forEach(NDArray::close);
        assertThatThrownBy(() -> AdapterCombinations.combine(both.registry(),
                List.of(new WeightedAdapter("f", new FullFineTuningConfig(), Map.of(), 1.0)), AdapterCombination.of("x", "cat"), manager))
                .hasMessage("add_weighted_adapter is not supported for FULL adapters (adapter 'f'); methods that support it: [LORA]");
    }

    private CombinedAdapter combine(AdapterCombination combination) {
        return combiner.combine(List.of(new WeightedAdapter("a", configA, arrays(tensorsA), WEIGHT_A),
                new WeightedAdapter("b", configB, arrays(tensorsB), WEIGHT_B)), combination, manager);
    }

    private float[] saveAndRun(CombinedAdapter combined, Path dir) throws IOException {
        write(combined, dir);
        combined.tensors().values().forEach(NDArray::close);
        try (PeftModel loaded = LoraTesting.RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.FEATURE_EXTRACTION), dir);
                NDManager scope = manager.newSubManager()) {
            return loaded.forward(LoraTesting.batch(scope), false).head().toFloatArray();
        }
    }

    private static void write(CombinedAdapter combined, Path dir) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        combined.tensors().forEach((key, array) -> tensors.put(key, new HostTensor(array.getShape().getShape(), array.toFloatArray())));
        AdapterCheckpoint.write(dir, LoraTesting.RUNTIME.writeConfig(combined.config()), tensors, Map.of("format", "pt"));
    }

    /** The base model with {@code W += w_a s_a B_a A_a + w_b s_b B_b A_b} written into its weights. */
    private float[] mergedByHand() {
        try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            Map<String, HostTensor> weights = new LinkedHashMap<>(Parameters.stateDict(base.root()));
            addUpdate(weights, tensorsA, WEIGHT_A * 8.0 / 4);
            addUpdate(weights, tensorsB, WEIGHT_B * 4.0 / Math.sqrt(2));
            Parameters.loadStateDict(base.root(), weights, true);
            return base.forward(LoraTesting.batch(scope), false).head().toFloatArray();
        }
    }

    private float[] baseOutput() {
        try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            return base.forward(LoraTesting.batch(scope), false).head().toFloatArray();
        }
    }

    private static void addUpdate(Map<String, HostTensor> weights, Map<String, HostTensor> adapter, double factor) {
        adapter.forEach((key, tensor) -> {
            if (key.endsWith(".lora_A.weight")) {
                String path = key.substring("base_model.model.".length(), key.length() - ".lora_A.weight".length());
                RealMatrix a = LoraWeightedCombinationTest.matrix(tensor);
                RealMatrix b = LoraWeightedCombinationTest.matrix(adapter.get("base_model.model." + path + ".lora_B.weight"));
                RealMatrix w = LoraWeightedCombinationTest.matrix(weights.get(path + ".weight")).add(b.multiply(a).scalarMultiply(factor));
                weights.put(path + ".weight", LoraWeightedCombination.toTensor(w));
            }
        });
    }

    private Map<String, NDArray> arrays(Map<String, HostTensor> tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((key, tensor) -> out.put(key, manager.create(tensor.values(), new Shape(tensor.shape()))));
        return out;
    }

    private static double maxDifference(float[] x, float[] y) {
        assertThat(x).hasSameSizeAs(y);
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
