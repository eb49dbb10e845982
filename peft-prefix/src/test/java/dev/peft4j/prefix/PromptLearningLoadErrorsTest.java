package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code prompt_embeddings} tensor that disagrees with {@code adapter_config.json} (the other
 * virtual-token method's file, another {@code num_virtual_tokens}) blames the config, not the base
 * model. Exact messages.
 */
class PromptLearningLoadErrorsTest {

    private static final String COMMON = """
              "peft_type": "%s",
              "num_virtual_tokens": 4,
              "num_layers": 2,
              "num_attention_heads": 4,
              "token_dim": 16,
              "task_type": "SEQ_CLS"
            }
            """;

    private static void write(Path dir, String peftType, long rows, long width) throws IOException {
        Files.writeString(dir.resolve("adapter_config.json"), "{\n" + COMMON.formatted(peftType));
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"),
                Map.of("prompt_embeddings", new HostTensor(new long[] {rows, width}, new float[Math.toIntExact(rows * width)])),
                Map.of("format", "pt"));
    }

    private static void assertLoadFails(Path dir, String message) {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> PromptLearningTesting.RUNTIME.fromPretrained(TinyBert.create(manager, TaskType.SEQ_CLS), dir))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessage(dir.resolve("adapter_model.safetensors") + ": " + message);
        }
    }

    @Test
    void promptTuningWeightsUnderAPrefixConfig(@TempDir Path dir) throws IOException {
        write(dir, "PREFIX_TUNING", 4, 16);
        assertLoadFails(dir, "tensor 'prompt_embeddings' has shape [4, 16], prefix tuning on this model expects"
                + " (num_virtual_tokens, num_layers * 2 * token_dim) = [4, 64]; the weights do not match "
                + dir.resolve("adapter_config.json") + " (peft_type PREFIX_TUNING; the tensor has prompt tuning's width,"
                + " the hidden size 16)");
    }

    @Test
    void prefixWeightsUnderAPromptTuningConfig(@TempDir Path dir) throws IOException {
        write(dir, "PROMPT_TUNING", 4, 64);
        assertLoadFails(dir, "tensor 'prompt_embeddings' has shape [4, 64], prompt tuning on this model expects"
                + " (num_virtual_tokens, token_dim) = [4, 16]; the weights do not match " + dir.resolve("adapter_config.json")
                + " (peft_type PROMPT_TUNING; the tensor has prefix tuning's width, num_layers * 2 * hidden = 64)");
    }

    @Test
    void anotherNumberOfVirtualTokens(@TempDir Path dir) throws IOException {
        write(dir, "PROMPT_TUNING", 6, 16);
        assertLoadFails(dir, "tensor 'prompt_embeddings' has shape [6, 16], prompt tuning on this model expects"
                + " (num_virtual_tokens, token_dim) = [4, 16]; the weights do not match " + dir.resolve("adapter_config.json")
                + " (num_virtual_tokens 4, the tensor has 6 rows)");
    }

    @Test
    void aTokenWidthOfAnotherBaseModelStillSaysSo(@TempDir Path dir) throws IOException {
        write(dir, "PROMPT_TUNING", 4, 32);
        assertLoadFails(dir, "tensor 'prompt_embeddings' has shape [4, 32], prompt tuning on this model expects"
                + " (num_virtual_tokens, token_dim) = [4, 16]; was the adapter trained on another base model?");
    }
}
