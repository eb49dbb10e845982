package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @Test
    void loraRunWritesAnHfAdapterAndResults(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("lora.json"), "{\"peft_type\": \"LORA\", \"r\": 4, \"batch_size\": 16}");
        Path output = dir.resolve("out");
        CliRun run = CliRun.of("train", "--method", "lora", "--config", config.toString(), "--lora-alpha", "8",
                "--target-modules", ".*\\.(query|value)", "--epochs", "1",
                "--max-train-samples", "48", "--max-eval-samples", "32", "--no-progress", "--output", output.toString());
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("lora on all-minilm-l6-v2: 48 train / 32 held-out sentences")
                .contains("trainable params: 37,634 || all params: 22,603,780 || trainable%: 0.1665")
                .contains("epoch 1: train loss ");

        JsonNode adapterConfig = new ObjectMapper().readTree(output.resolve("adapter_config.json").toFile());
        assertThat(adapterConfig.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(adapterConfig.get("task_type").asText()).isEqualTo("SEQ_CLS");
        assertThat(adapterConfig.get("r").asInt()).as("--config beats the preset").isEqualTo(4);
        assertThat(adapterConfig.get("lora_alpha").asDouble()).as("flags beat --config").isEqualTo(8.0);
        assertThat(adapterConfig.get("lora_dropout").asDouble()).as("the preset beats HF's default").isEqualTo(0.1);
        assertThat(adapterConfig.get("peft4j").get("pooling").asText()).isEqualTo("mean");
        assertThat(adapterConfig.get("target_modules").asText()).as("a regex flag stays an HF regex string")
                .isEqualTo(".*\\.(query|value)");

        var tensors = SafetensorsReader.read(output.resolve("adapter_model.safetensors")).tensors();
        assertThat(tensors).hasSize(6 * 2 * 2 + 2)
                .containsKeys("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight",
                        "base_model.model.bert.encoder.layer.5.attention.self.value.lora_B.weight",
                        "base_model.model.classifier.weight", "base_model.model.classifier.bias");
        assertThat(tensors.get("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight").shape())
                .containsExactly(4, 384);

        JsonNode results = new ObjectMapper().readTree(output.resolve("results.json").toFile());
        assertThat(results.get("method").asText()).isEqualTo("lora");
        assertThat(results.get("trainable_params").asLong()).isEqualTo(37_634);
        assertThat(results.get("steps").asLong()).isEqualTo(3);
        assertThat(results.get("recipe").get("batch_size").asInt()).isEqualTo(16);
        assertThat(results.get("recipe").get("lr").asDouble()).isEqualTo(5e-4);
        assertThat(results.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(results.get("environment").get("djl").asText()).isEqualTo("0.36.0");
        assertThat(results.get("environment").get("kernel_providers").get(0).get("name").asText()).isEqualTo("cuda");
        assertThat(results.get("adapter_bytes").asLong()).isPositive();
    }

    @Test
    void doraRunSavesOneMagnitudeVectorPerTarget(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out");
        CliRun run = CliRun.of("train", "--method", "lora", "--use-dora", "true", "--epochs", "1", "--batch-size", "16",
                "--max-train-samples", "32", "--max-eval-samples", "16", "--no-progress", "--output", output.toString());
        assertThat(run.status()).as(run.err()).isZero();
        // LoRA r 8 on query and value: 73,728; DoRA adds 6 layers x 2 targets x 384; the classifier 770
        assertThat(run.out()).contains("trainable params: 79,106 ||");
        JsonNode adapterConfig = new ObjectMapper().readTree(output.resolve("adapter_config.json").toFile());
        assertThat(adapterConfig.get("use_dora").asBoolean()).isTrue();
        var tensors = SafetensorsReader.read(output.resolve("adapter_model.safetensors")).tensors();
        assertThat(tensors).hasSize(6 * 2 * 3 + 2);
        assertThat(tensors.get("base_model.model.bert.encoder.layer.5.attention.self.value.lora_magnitude_vector").shape())
                .containsExactly(384);
    }

    @Test
    void unknownMethodFlagNamesTheOptionsThereAre() {
        CliRun run = CliRun.of("train", "--method", "lora", "--rank", "8");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("peft: unknown option(s) [--rank, 8] for method 'lora'; its options: [--alpha-pattern, --bias,");
    }

    @Test
    void badValuesAreNamedByKey() {
        assertThat(CliRun.of("train", "--method", "lora", "--r", "0").err()).isEqualTo("peft: lora.r must be > 0, got 0" + System.lineSeparator());
        assertThat(CliRun.of("train", "--method", "lora", "--batch-size", "0").err())
                .isEqualTo("peft: recipe.batch_size must be > 0, got 0" + System.lineSeparator());
        assertThat(CliRun.of("train", "--method", "lorra").err()).startsWith("peft: unknown method 'lorra'; known: "
                + "[BOTTLENECK (bottleneck), FULL (full), LORA (lora), PREFIX_TUNING (prefix), PROMPT_TUNING (prompt)]");
    }

    @Test
    void configFileForAnotherMethodIsRejected(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"peft_type\": \"FULL\"}");
        CliRun run = CliRun.of("train", "--method", "lora", "--config", config.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("peft: " + config + ": peft_type 'FULL' does not match --method lora (LORA)" + System.lineSeparator());
    }
}
