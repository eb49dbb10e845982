package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.adapt;
import static dev.peft4j.lora.LoraTesting.lora;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DoRA injected into TinyBert: parameter names, checkpoint keys and the magnitude's start values. */
class LoraDoraModelTest {

    private static final String QUERY = "bert.encoder.layer.0.attention.self.query";

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void everyTargetGainsAMagnitudeSavedUnderHfPeftsKey() {
        LoraConfig config = LoraConfig.builder().targetModules("query", "value").useDora(true).build();
        try (PeftModel peft = adapt(manager, TaskType.SEQ_CLS, config)) {
            assertThat(peft.trainableParameters().keySet()).filteredOn(name -> name.contains("magnitude")).containsExactly(
                    "bert.encoder.layer.0.attention.self.query.lora_magnitude_vector.default",
                    "bert.encoder.layer.0.attention.self.value.lora_magnitude_vector.default",
                    "bert.encoder.layer.1.attention.self.query.lora_magnitude_vector.default",
                    "bert.encoder.layer.1.attention.self.value.lora_magnitude_vector.default");
            Map<String, HostTensor> weights = peft.adapterWeights();
            assertThat(weights.keySet()).contains(
                    "base_model.model." + QUERY + ".lora_A.weight",
                    "base_model.model." + QUERY + ".lora_B.weight",
                    "base_model.model." + QUERY + ".lora_magnitude_vector",
                    "base_model.model.classifier.weight");
            HostTensor magnitude = weights.get("base_model.model." + QUERY + ".lora_magnitude_vector");
            assertThat(magnitude.shape()).containsExactly(16L);
            try (NDArray norms = lora(peft, QUERY).baseWeight().getArray().norm(new int[] {1})) {
                assertThat(magnitude.values()).containsExactly(norms.toFloatArray(), within(1e-6f));
            }
            assertThat(lora(peft, QUERY).usesDora()).isTrue();
        }
    }
}
