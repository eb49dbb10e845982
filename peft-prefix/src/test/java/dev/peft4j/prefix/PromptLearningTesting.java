package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.testing.GradientChecks;
import java.util.List;

/** Shared fixtures of the prefix- and prompt-tuning tests. */
final class PromptLearningTesting {

    /** The runtime with exactly prefix and prompt tuning installed. */
    static final PeftRuntime RUNTIME = PeftRuntime.of(List.of(new PrefixTuningProvider(), new PromptTuningProvider()));

    /** all-MiniLM-L6-v2's shape: vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536. */
    static final BertConfig MINILM = new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0,
            List.of("BertModel"));

    /** Trainable parameters of the SEQ_CLS head HF PEFT saves (MiniLM, 2 labels): 384 * 2 + 2. */
    static final long MINILM_HEAD = 770;

    private PromptLearningTesting() {}

    /** @return two sequences of token ids with their attention mask, the second padded */
    static NDList batch(NDManager scope) {
        return GradientChecks.paddedPair(scope);
    }

    /** @return the second sentence of {@link #batch} alone, unpadded */
    static NDList secondAlone(NDManager scope) {
        return new NDList(scope.create(new long[][] {{2, 5, 3}}), scope.create(new long[][] {{1, 1, 1}}));
    }

    /** @return a seeded TinyBert adapted with {@code config} from a user config */
    static PeftModel adapt(NDManager manager, TaskType task, PeftConfig config) {
        return RUNTIME.getPeftModel(TinyBert.create(manager, task), config, ConfigOrigin.USER);
    }

    /** @return a randomly initialised model of MiniLM's shape adapted with {@code config} */
    static PeftModel adaptMiniLm(NDManager manager, PeftConfig config, ConfigOrigin origin) {
        return RUNTIME.getPeftModel(TransformerModel.bert(MINILM, TaskType.SEQ_CLS, 2, manager), config, origin);
    }

    /** Asserts element-wise closeness. */
    static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(tolerance));
        }
    }
}
