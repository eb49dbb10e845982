package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/** {@link PeftModel#addWeightedAdapter} on one model's own adapters: the result equals the hand-merged weighted updates. */
class LoraAddWeightedAdapterTest {

    @Test
    void combinesTwoAdaptersOfOneModel() throws Exception {
        LoraConfig a = LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "value")
                .initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).build();
        LoraConfig b = LoraConfig.builder().r(2).loraAlpha(4).useRslora(true).targetModules("value", "key")
                .initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).build();
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel peft = LoraTesting.adapt(manager, TaskType.FEATURE_EXTRACTION, a)) {
            peft.addAdapter("b", b);
            Map<String, HostTensor> ta = peft.adapterWeights("default", false);
            Map<String, HostTensor> tb = peft.adapterWeights("b", false);
            peft.addWeightedAdapter(List.of("default", "b"), List.of(0.6, -1.3), "mix", "cat");
            peft.setActiveAdapter("mix");
            float[] actual;
            try (NDManager scope = manager.newSubManager()) {
                actual = peft.forward(LoraTesting.batch(scope), false).head().toFloatArray();
            }
            float[] expected;
            try (TransformerModel base = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
                Map<String, HostTensor> w = new LinkedHashMap<>(Parameters.stateDict(base.root()));
                add(w, ta, 0.6 * 2);
                add(w, tb, -1.3 * 4 / Math.sqrt(2));
                Parameters.loadStateDict(base.root(), w, true);
                expected = base.forward(LoraTesting.batch(scope), false).head().toFloatArray();
            }
            double max = 0;
            for (int i = 0; i < actual.length; i++) {
                max = Math.max(max, Math.abs(actual[i] - expected[i]));
            }
            assertThat(max).isLessThan(1e-4);
            assertThat(peft.adapterNames()).containsExactly("default", "b", "mix");
            assertThatThrownBy(() -> peft.addWeightedAdapter(List.of("default", "b"), List.of(1.0), "x", "cat"))
                    .hasMessageContaining("but 1 weights");
            assertThatThrownBy(() -> peft.addWeightedAdapter(List.of("default"), List.of(1.0), "mix", "cat"))
                    .hasMessage("adapter 'mix' already exists; adapters: [default, b, mix]");
            assertThatThrownBy(() -> peft.addWeightedAdapter(List.of("default", "nope"), List.of(1.0, 1.0), "y", "cat"))
                    .hasMessage("unknown adapter 'nope'; adapters: [default, b, mix]");
            assertThat(peft.adapterNames()).containsExactly("default", "b", "mix");
        }
    }

    private static void add(Map<String, HostTensor> weights, Map<String, HostTensor> adapter, double factor) {
        adapter.forEach((key, tensor) -> {
            if (key.endsWith(".lora_A.weight")) {
                String path = key.substring("base_model.model.".length(), key.length() - ".lora_A.weight".length());
                RealMatrix am = LoraWeightedCombinationTest.matrix(tensor);
                RealMatrix bm = LoraWeightedCombinationTest.matrix(adapter.get("base_model.model." + path + ".lora_B.weight"));
                RealMatrix w = LoraWeightedCombinationTest.matrix(weights.get(path + ".weight")).add(bm.multiply(am).scalarMultiply(factor));
                weights.put(path + ".weight", LoraWeightedCombination.toTensor(w));
            }
        });
    }
}
