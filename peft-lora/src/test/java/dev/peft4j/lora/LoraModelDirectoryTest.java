package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.hf.TransformerModelDirectory;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An HF model directory is written only from a plain model: a LoRA-adapted one is refused, naming the LoRA layer. */
class LoraModelDirectoryTest {

    @Test
    void refusesAModelThatStillHasLoraLayers(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel peft = LoraTesting.adapt(manager, TaskType.FEATURE_EXTRACTION, LoraConfig.defaults())) {
            assertThatThrownBy(() -> TransformerModelDirectory.save(peft.baseModel(), dir.resolve("merged"), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot save the model as an HF model directory: module 'encoder.layer.0.attention.self.query'"
                            + " is a LoraLayer where a plain BERT has a Linear; merge and unload the adapters first (mergeAndUnload)");
            assertThat(dir.resolve("merged")).doesNotExist();
        }
    }
}
