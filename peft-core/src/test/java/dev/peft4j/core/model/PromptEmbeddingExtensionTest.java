package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The input-embeddings extension point: a {@link SoftPrompt} in the forward params (TinyBert, hidden 16). */
class PromptEmbeddingExtensionTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDArray forward(TransformerModel model, NDList inputs, PairList<String, Object> params) {
        return model.root().forward(new ParameterStore(model.manager(), false), inputs, false, params).head();
    }

    private static NDArray wordEmbeddings(TransformerModel model, NDManager scope, long[][] ids) {
        return model.inputEmbeddings().forward(new ParameterStore(model.manager(), false), new NDList(scope.create(ids)), false).head();
    }

    @Test
    void absentAndZeroLengthPromptsLeaveTheOutputBitIdentical() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList(scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}), scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}));
            float[] plain = forward(model, inputs, null).toFloatArray();
            float[] zeroLength = forward(model, inputs, new SoftPrompt(scope.zeros(new Shape(2, 0, 16))).toParams()).toFloatArray();
            assertThat(zeroLength).containsExactly(plain);
        }
    }

    /**
     * HF PEFT feeds {@code cat(prompt, word_embeddings(input_ids))} as {@code inputs_embeds} with a
     * mask of ones in front: a prompt equal to the word embeddings of ids {@code v} must give what
     * the ids {@code v ++ x} give, minus the first {@code |v|} positions.
     */
    @Test
    void aPromptOfWordEmbeddingsActsAsThoseTokensPrependedAndIsDroppedFromTheOutput() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            long[][] virtualIds = {{11, 12, 13}, {11, 12, 13}};
            SoftPrompt prompt = new SoftPrompt(wordEmbeddings(model, scope, virtualIds));
            NDList inputs = new NDList(scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}),
                    scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}),
                    scope.create(new long[][] {{0, 0, 0, 0}, {0, 0, 0, 0}}));
            NDList concatenated = new NDList(scope.create(new long[][] {{11, 12, 13, 2, 7, 9, 3}, {11, 12, 13, 2, 5, 3, 0}}),
                    scope.create(new long[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0}}));
            NDArray prompted = forward(model, inputs, prompt.toParams());
            NDArray reference = forward(model, concatenated, null).get(":, 3:, :");
            assertThat(prompted.getShape()).isEqualTo(new Shape(2, 4, 16));
            float[] expected = reference.toFloatArray();
            float[] actual = prompted.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6f));
            }
        }
    }

    @Test
    void classificationMeanPoolsTheRealTokensOnly() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList(scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}), scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}));
            SoftPrompt prompt = new SoftPrompt(scope.randomNormal(new Shape(2, 5, 16)));
            ParameterStore store = new ParameterStore(model.manager(), false);
            NDArray hidden = model.module("bert").forward(store, inputs, false, prompt.toParams()).head();
            NDArray pooled = MeanPooling.pool(hidden, inputs.get(1));
            NDArray expected = model.module("classifier").forward(store, new NDList(pooled), false).head();
            assertThat(forward(model, inputs, prompt.toParams()).toFloatArray()).containsExactly(expected.toFloatArray());
            assertThat(hidden.getShape()).isEqualTo(new Shape(2, 4, 16));
        }
    }

    @Test
    void attachedEncodersRunAtEveryForwardAndAreAddressedByPath() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList(scope.create(new long[][] {{2, 7, 9, 3}}), scope.create(new long[][] {{1, 1, 1, 1}}));
            float[] base = model.forward(inputs, false).head().toFloatArray();
            ConstantPrompt encoder = new ConstantPrompt(model.manager().randomNormal(new Shape(1, 2, 16)));
            assertThat(model.attachPromptEncoder("default", encoder)).isEqualTo("bert.prompt_encoder.default");
            assertThat(model.promptEncoders()).containsOnlyKeys("bert.prompt_encoder.default");
            assertThat(model.modules()).containsKey("bert.prompt_encoder.default");
            float[] prompted = model.forward(inputs, false).head().toFloatArray();
            assertThat(encoder.calls).isEqualTo(1);
            assertThat(prompted).isNotEqualTo(base);
            encoder.enabled = false;
            assertThat(model.forward(inputs, false).head().toFloatArray()).containsExactly(base);
            assertThatThrownBy(() -> model.attachPromptEncoder("default", new ConstantPrompt(null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a prompt encoder is already attached for adapter 'default' (prompt_encoder.default)");
        }
    }

    @Test
    void badPromptsAreRejectedNamingWhatWasExpected() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList(scope.create(new long[][] {{2, 7, 9, 3}}), scope.create(new long[][] {{1, 1, 1, 1}}));
            assertThatThrownBy(() -> forward(model, inputs, new SoftPrompt(scope.zeros(new Shape(1, 2, 8))).toParams()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("soft prompt has shape (1, 2, 8), expected (1, num_virtual_tokens, 16)");
            assertThatThrownBy(() -> forward(model, inputs, new SoftPrompt(scope.zeros(new Shape(1, 29, 16))).toParams()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sequence of 4 tokens after 29 virtual tokens needs 33 positions, more than max_position_embeddings 32");
            assertThatThrownBy(() -> new SoftPrompt(scope.zeros(new Shape(2, 16))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("soft prompt embeddings must be (batch, num_virtual_tokens, hidden), got (2, 16)");
        }
    }

    /** A test encoder: a fixed {@code (1, n, hidden)} prompt broadcast to the batch, with its own on/off flag. */
    private static final class ConstantPrompt extends SequentialBlock implements PromptEncoder {
        private final NDArray prompt;
        boolean enabled = true;
        int calls;

        ConstantPrompt(NDArray prompt) {
            this.prompt = prompt;
        }

        @Override
        public PairList<String, Object> encode(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            calls++;
            if (!enabled) {
                return new PairList<>();
            }
            long batch = inputs.get(0).getShape().get(0);
            return new SoftPrompt(prompt.broadcast(batch, prompt.getShape().get(1), prompt.getShape().get(2))).toParams();
        }

        @Override
        public dev.peft4j.core.io.HostTensor promptEmbeddings() {
            return new dev.peft4j.core.io.HostTensor(prompt.getShape().getShape(), prompt.toFloatArray());
        }
    }
}
