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
}
