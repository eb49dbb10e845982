package dev.peft4j.adapter;

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

/** Shared fixtures of the bottleneck tests. */
final class BottleneckTesting {

    /** The runtime with exactly bottleneck adapters installed. */
    static final PeftRuntime RUNTIME = PeftRuntime.of(List.of(new BottleneckProvider()));

    /** all-MiniLM-L6-v2's shape: vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536. */
    static final BertConfig MINILM = new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0,
            List.of("BertModel"));

    private BottleneckTesting() {}

    /** @return two sequences of token ids with their attention mask, the second padded */
    static NDList batch(NDManager scope) {
        return GradientChecks.paddedPair(scope);
    }

    /** @return a seeded TinyBert adapted with {@code config} from a user config */
    static PeftModel adapt(NDManager manager, TaskType task, BottleneckConfig config) {
        return RUNTIME.getPeftModel(TinyBert.create(manager, task), config, ConfigOrigin.USER);
    }

    /** @return the bottleneck layer at {@code path} */
    static BottleneckLayer layer(PeftModel peft, String path) {
        return (BottleneckLayer) peft.baseModel().module(path);
    }

    /** @return {@code placement} with its defaults and AdapterHub's random {@code bert} initialisation */
    static BottleneckConfig randomInit(BottleneckPlacement placement) {
        return BottleneckConfig.of(placement).withInitWeights(BottleneckInit.BERT);
    }
}
