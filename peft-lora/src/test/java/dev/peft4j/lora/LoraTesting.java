package dev.peft4j.lora;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.GradientChecks;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import java.util.List;

/** Shared fixtures of the LoRA tests. */
final class LoraTesting {

    /** The runtime with exactly LoRA installed. */
    static final PeftRuntime RUNTIME = PeftRuntime.of(List.of(new LoraProvider()));

    /** all-MiniLM-L6-v2's shape: vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536. */
    static final BertConfig MINILM = new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0,
            List.of("BertModel"));

    private LoraTesting() {}

    /** @return two sequences of token ids with their attention mask, the second padded */
    static NDList batch(NDManager scope) {
        return GradientChecks.paddedPair(scope);
    }

    /** @return a seeded TinyBert adapted with {@code config} from a user config */
    static PeftModel adapt(NDManager manager, TaskType task, LoraConfig config) {
        return RUNTIME.getPeftModel(TinyBert.create(manager, task), config, ConfigOrigin.USER);
    }

    /** @return the LoRA layer at {@code path} */
    static LoraLayer lora(PeftModel peft, String path) {
        return (LoraLayer) peft.baseModel().module(path);
    }
}
