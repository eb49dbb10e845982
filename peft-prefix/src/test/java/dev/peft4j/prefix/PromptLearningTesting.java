package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.Autograd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        return new NDList(scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}), scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}));
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

    /** One forward/backward pass in training mode of a scalar loss over the logits. */
    static void backward(PeftModel peft, NDManager scope) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = peft.forward(batch(scope), true).head();
            collector.backward(logits.mul(scope.create(new float[] {1f, -2f})).sum());
        }
    }

    /** Asserts that exactly the parameters matching {@code trainable} require and received gradients. */
    static void assertOnlyTheseGetGradients(PeftModel peft, String trainable, int expectedCount) {
        int count = 0;
        for (Map.Entry<String, Parameter> entry : Parameters.byName(peft.baseModel().root()).entrySet()) {
            String name = entry.getKey();
            Parameter parameter = entry.getValue();
            if (name.matches(trainable)) {
                count++;
                assertThat(parameter.requiresGradient()).as(name).isTrue();
                try (NDArray gradient = parameter.getArray().getGradient()) {
                    assertThat(gradient.abs().sum().getFloat()).as(name).isPositive();
                }
            } else {
                assertThat(parameter.requiresGradient()).as(name).isFalse();
                assertThat(parameter.getArray().hasGradient()).as(name).isFalse();
            }
        }
        assertThat(count).isEqualTo(expectedCount);
    }

    /** Three SGD steps (lr 0.1, no-grad updates, gradients zeroed); asserts the base is bit-identical and every trainable tensor moved. */
    static void assertThreeSgdStepsMoveOnlyTrainables(PeftModel peft, NDManager scope) {
        Map<String, float[]> frozenBefore = new LinkedHashMap<>();
        Map<String, float[]> trainableBefore = new LinkedHashMap<>();
        Parameters.byName(peft.baseModel().root()).forEach((name, parameter) ->
                (parameter.requiresGradient() ? trainableBefore : frozenBefore).put(name, parameter.getArray().toFloatArray()));
        for (int step = 0; step < 3; step++) {
            backward(peft, scope);
            try (var ignored = Autograd.noGrad()) {
                for (Parameter parameter : peft.trainableParameters().values()) {
                    NDArray array = parameter.getArray();
                    try (NDArray gradient = array.getGradient(); NDArray update = ScalarOps.mul(gradient, 0.1)) {
                        array.subi(update);
                    }
                }
            }
            Autograd.zeroGradients(peft.trainableParameters().values());
        }
        Parameters.byName(peft.baseModel().root()).forEach((name, parameter) -> {
            float[] now = parameter.getArray().toFloatArray();
            if (frozenBefore.containsKey(name)) {
                assertThat(now).as(name).containsExactly(frozenBefore.get(name));
            } else {
                assertThat(now).as(name).isNotEqualTo(trainableBefore.get(name));
            }
        });
        assertThat(trainableBefore).isNotEmpty();
    }

    /** Asserts element-wise closeness. */
    static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(tolerance));
        }
    }
}
