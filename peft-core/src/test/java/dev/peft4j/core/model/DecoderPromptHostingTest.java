package dev.peft4j.core.model;

import static dev.peft4j.core.model.DecoderForwardTest.alone;
import static dev.peft4j.core.model.DecoderForwardTest.assertClose;
import static dev.peft4j.core.model.DecoderForwardTest.ones;
import static dev.peft4j.core.model.DecoderForwardTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.io.HostTensor;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Prompt-encoder hosting in decoders ({@link PromptHost}): soft prompts and prefixes, with and without the cache. */
class DecoderPromptHostingTest {

    private static final long[] A = {5, 17, 3, 29, 11};
    private static final long[] VIRTUAL = {9, 4};

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** A soft prompt made of real tokens' embeddings must compute what those tokens in front compute. */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2"})
    void aSoftPromptOfTokenEmbeddingsEqualsThoseTokensInFront(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
            String path = model.attachPromptEncoder("default", FixedPromptEncoder.softPrompt(tokenEmbeddings(model, local)));
            assertThat(path).isEqualTo(model.encoderPrefix() + "prompt_encoder.default");
            assertThat(model.promptEncoders()).containsOnlyKeys(path);
            NDArray logits = model.forward(TinyDecoders.inputs(local, new long[][] {A, A}, new long[][] {ones(5), ones(5)}), false)
                    .singletonOrThrow();
            assertThat(logits.getShape()).isEqualTo(new Shape(2, A.length, TinyDecoders.VOCAB));
            model.detachPromptEncoder("default");
            float[][] reference = alone(model, local, new long[] {9, 4, 5, 17, 3, 29, 11});
            for (int t = 0; t < A.length; t++) {
                assertClose(row(logits, 1, t), reference[t + VIRTUAL.length], 1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void virtualTokensGoInOnlyOnTheFirstCachedCall(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local);
                KeyValueCache cache = model.newKeyValueCache(local)) {
            model.attachPromptEncoder("default", FixedPromptEncoder.softPrompt(tokenEmbeddings(model, local)));
            NDArray full = model.forward(TinyDecoders.inputs(local, new long[][] {A}, new long[][] {ones(5)}), false).singletonOrThrow();
            NDArray first = model.forward(TinyDecoders.inputs(local, new long[][] {{5, 17}}, new long[][] {{1, 1}}), cache)
                    .singletonOrThrow();
            assertThat(first.getShape()).isEqualTo(new Shape(1, 2, TinyDecoders.VOCAB));
            assertThat(cache.length()).isEqualTo(VIRTUAL.length + 2);
            assertClose(row(first, 0, 1), row(full, 0, 1), 1e-5);
            for (int t = 2; t < A.length; t++) {
                NDArray step = model.forward(TinyDecoders.inputs(local, new long[][] {{A[t]}}, new long[][] {{1}}), cache).singletonOrThrow();
                assertThat(step.getShape()).isEqualTo(new Shape(1, 1, TinyDecoders.VOCAB));
                assertClose(row(step, 0, 0), row(full, 0, t), 1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void anAttachedPrefixEncoderActsAsItsPrefixAndStopsWhenDisabledOrDetached(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
            KeyValuePrefix prefix = DecoderCacheTest.randomPrefix(local, model, 1, 3);
            NDList in = TinyDecoders.inputs(local, new long[][] {A}, new long[][] {ones(5)});
            float[] base = model.forward(in, false).singletonOrThrow().toFloatArray();
            float[] direct = model.root().forward(new ParameterStore(model.manager(), false), in, false, prefix.toParams())
                    .head().toFloatArray();
            model.attachPromptEncoder("default", FixedPromptEncoder.prefix(prefix));
            assertThat(model.forward(in, false).singletonOrThrow().toFloatArray()).containsExactly(direct);
            try (var disabled = model.adapterToggle().disable()) {
                assertThat(model.forward(in, false).singletonOrThrow().toFloatArray()).containsExactly(base);
            }
            model.detachPromptEncoder("default");
            assertThat(model.promptEncoders()).isEmpty();
            assertThat(model.forward(in, false).singletonOrThrow().toFloatArray()).containsExactly(base);
        }
    }

    /** @return the embeddings of {@link #VIRTUAL} {@code (1, V, hidden)} */
    private static NDArray tokenEmbeddings(TransformerModel model, NDManager manager) {
        NDArray table = model.inputEmbeddings().weight().getArray();
        return table.get(manager.create(VIRTUAL)).expandDims(0);
    }

    /** A parameter-free prompt encoder returning fixed virtual inputs, broadcast to the batch. */
    static final class FixedPromptEncoder extends ModuleBlock implements PromptEncoder {

        private final NDArray softPrompt;
        private final KeyValuePrefix prefix;

        private FixedPromptEncoder(NDArray softPrompt, KeyValuePrefix prefix) {
            this.softPrompt = softPrompt;
            this.prefix = prefix;
        }

        static FixedPromptEncoder softPrompt(NDArray embeddings) {
            return new FixedPromptEncoder(embeddings, null);
        }

        static FixedPromptEncoder prefix(KeyValuePrefix prefix) {
            return new FixedPromptEncoder(null, prefix);
        }

        @Override
        public PairList<String, Object> encode(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            long batch = inputs.get(0).getShape().get(0);
            PairList<String, Object> out = new PairList<>();
            if (softPrompt != null) {
                Shape shape = softPrompt.getShape();
                out.add(SoftPrompt.PARAM, new SoftPrompt(softPrompt.broadcast(new Shape(batch, shape.get(1), shape.get(2)))));
            } else {
                List<NDArray> keys = prefix.keys().stream().map(k -> broadcast(k, batch)).toList();
                List<NDArray> values = prefix.values().stream().map(v -> broadcast(v, batch)).toList();
                out.add(KeyValuePrefix.PARAM, new KeyValuePrefix(keys, values));
            }
            return out;
        }

        private static NDArray broadcast(NDArray x, long batch) {
            Shape shape = x.getShape();
            return x.broadcast(new Shape(batch, shape.get(1), shape.get(2), shape.get(3)));
        }

        @Override
        public HostTensor promptEmbeddings() {
            NDArray source = softPrompt != null ? softPrompt : prefix.key(0);
            return new HostTensor(source.getShape().getShape(), source.toFloatArray());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            return inputs;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
