package dev.peft4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdapterKeysTest {

    @Test
    void stripsTheAdapterNameAsHfPeftDoes() {
        assertThat(AdapterKeys.toCheckpointKey("bert.encoder.layer.0.attention.self.query.lora_A.default.weight", "default"))
                .isEqualTo("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight");
        assertThat(AdapterKeys.toCheckpointKey("classifier.modules_to_save.default.weight", "default"))
                .isEqualTo("base_model.model.classifier.weight");
        assertThat(AdapterKeys.toCheckpointKey("encoder.layer.1.output.dense.lora_B.sentiment.weight", "sentiment"))
                .isEqualTo("base_model.model.encoder.layer.1.output.dense.lora_B.weight");
        assertThat(AdapterKeys.toCheckpointKey("bert.encoder.layer.0.output.dense.bias", "default"))
                .isEqualTo("base_model.model.bert.encoder.layer.0.output.dense.bias");
        assertThat(AdapterKeys.toCheckpointKey("embeddings.defaulted.weight", "default"))
                .as("only whole segments are removed")
                .isEqualTo("base_model.model.embeddings.defaulted.weight");
    }

    @Test
    void removesOnlySegmentsTheAdapterAdded() {
        var base = java.util.Set.of("encoder", "encoder.default", "encoder.default.lora_A", "encoder.default.lora_A.weight",
                "encoder.modules_to_save", "encoder.modules_to_save.default", "encoder.modules_to_save.default.weight");
        assertThat(AdapterKeys.toCheckpointKey("encoder.default.lora_A.lora_A.default.weight", "default", base::contains))
                .isEqualTo("base_model.model.encoder.default.lora_A.lora_A.weight");
        assertThat(AdapterKeys.toCheckpointKey("encoder.modules_to_save.default.weight", "default", base::contains))
                .as("a base module that happens to be called modules_to_save").isEqualTo("base_model.model.encoder.modules_to_save.default.weight");
        assertThat(AdapterKeys.toCheckpointKey("encoder.default.lora_A.modules_to_save.default.weight", "default", base::contains))
                .isEqualTo("base_model.model.encoder.default.lora_A.weight");
        assertThat(AdapterKeys.toCheckpointKey("encoder.default.lora_A.lora_magnitude_vector.default", "default", base::contains))
                .isEqualTo("base_model.model.encoder.default.lora_A.lora_magnitude_vector");
    }
}
