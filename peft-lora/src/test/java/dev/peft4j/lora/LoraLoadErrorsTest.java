package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.core.runtime.PeftRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading errors that must point at the cause: a config that is not JSON, a {@code task_type} for
 * another head, weights of another method, weights that disagree with the config's {@code r}, and
 * targeting errors naming the {@code adapter_config.json} they came from. Exact messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoraLoadErrorsTest {

    private static final String ROOT = "base_model.model.bert.encoder.layer.";

    private NDManager manager;
    private final PeftRuntime runtime = PeftRuntime.of(List.of(new LoraProvider()));

    @BeforeAll
    void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void stop() {
        manager.close();
    }

    private static void write(Path dir, String config, Map<String, HostTensor> tensors) throws IOException {
        Files.writeString(dir.resolve("adapter_config.json"), config);
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
    }

    @Test
    void aTruncatedConfigSaysItIsNotJsonWithThePosition(@TempDir Path dir) throws IOException {
        String config = LoraHfCheckpointTest.hfConfig("SEQ_CLS");
        write(dir, config.substring(0, config.indexOf("\"lora_alpha\"")), LoraHfCheckpointTest.hfTensors(ROOT, 4, true, 1));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("adapter_config.json in " + dir + " is not valid JSON: Unexpected end-of-input within/between"
                        + " Object entries at line 16, column 3");
        Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"r\": 4");
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("adapter_config.json in " + dir + " is not valid JSON: Unexpected end-of-input: expected close"
                        + " marker for Object at line 1, column 29");
    }

    @Test
    void aTaskTypeForAnotherHeadIsRejectedNamingBoth(@TempDir Path dir) throws IOException {
        write(dir, LoraHfCheckpointTest.hfConfig("CAUSAL_LM"), LoraHfCheckpointTest.hfTensors(ROOT, 4, true, 2));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(dir.resolve("adapter_config.json") + ": task_type \"CAUSAL_LM\" does not match the model's task"
                        + " type SEQ_CLS; load it onto a CAUSAL_LM model or use an adapter trained for SEQ_CLS");
        write(dir, LoraHfCheckpointTest.hfConfig("FEATURE_EXTRACTION"), LoraHfCheckpointTest.hfTensors(ROOT, 4, false, 2));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(dir.resolve("adapter_config.json") + ": task_type \"FEATURE_EXTRACTION\" does not match the model's"
                        + " task type SEQ_CLS; load it onto a FEATURE_EXTRACTION model or use an adapter trained for SEQ_CLS");
    }

    @Test
    void weightsOfAnotherMethodListBothKeySetsAndSaySo(@TempDir Path dir) throws IOException {
        write(dir, LoraHfCheckpointTest.hfConfig("SEQ_CLS"), Map.of("prompt_embeddings", new HostTensor(new long[] {4, 16},
                new float[64])));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("adapter_model.safetensors") + ": tensor 'prompt_embeddings' maps to no parameter of"
                        + " the adapted model (LORA adapter 'default' on bert SEQ_CLS with 2 layers, hidden 16); the file holds"
                        + " [prompt_embeddings]; the LORA adapter expects [base_model.model.bert.encoder.layer.0.attention.self"
                        + ".query.lora_A.weight, base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.value.lora_A.weight,"
                        + " base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight, ... (10 in all)];"
                        + " none of the file's tensors is one of them: the weights do not belong to "
                        + dir.resolve("adapter_config.json") + "'s method (LORA)");
    }

    @Test
    void aRankThatDisagreesWithTheConfigBlamesTheConfigNotTheBaseModel(@TempDir Path dir) throws IOException {
        write(dir, LoraHfCheckpointTest.hfConfig("SEQ_CLS").replace("\"r\": 4", "\"r\": 8"),
                LoraHfCheckpointTest.hfTensors(ROOT, 4, true, 3));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("adapter_model.safetensors") + ": tensor '" + ROOT + "0.attention.self.query.lora_A.weight'"
                        + " has shape [4, 16], the model's parameter 'bert.encoder.layer.0.attention.self.query.lora_A.default.weight'"
                        + " has [8, 16]; the weights do not match " + dir.resolve("adapter_config.json")
                        + " (a size it sets, such as r, differs)");
    }

    @Test
    void aHeadOfAnotherShapeStillPointsAtTheBaseModel(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> tensors = LoraHfCheckpointTest.hfTensors(ROOT, 4, true, 4);
        tensors.put("base_model.model.classifier.weight", new HostTensor(new long[] {3, 16}, new float[48]));
        write(dir, LoraHfCheckpointTest.hfConfig("SEQ_CLS"), tensors);
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("adapter_model.safetensors") + ": tensor 'base_model.model.classifier.weight'"
                        + " has shape [3, 16], the model's parameter 'classifier.modules_to_save.default.weight'"
                        + " has [2, 16]; the adapter's head has 3 labels, this model's has 2 (every adapter of a model shares"
                        + " num_labels): load it onto a model built with num_labels 3");
    }

    @Test
    void aLayersToTransformErrorNamesTheConfigFile(@TempDir Path dir) throws IOException {
        write(dir, LoraHfCheckpointTest.hfConfig("SEQ_CLS").replace("\"layers_to_transform\": null", "\"layers_to_transform\": [5]"),
                LoraHfCheckpointTest.hfTensors(ROOT, 4, true, 5));
        assertThatThrownBy(() -> runtime.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(dir.resolve("adapter_config.json") + ": layers_to_transform entry 5 is out of range");
    }
}
