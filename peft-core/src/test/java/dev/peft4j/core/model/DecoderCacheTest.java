package dev.peft4j.core.model;

import static dev.peft4j.core.model.DecoderForwardTest.alone;
import static dev.peft4j.core.model.DecoderForwardTest.assertClose;
import static dev.peft4j.core.model.DecoderForwardTest.maxDifference;
import static dev.peft4j.core.model.DecoderForwardTest.ones;
import static dev.peft4j.core.model.DecoderForwardTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link KeyValueCache}: step-by-step decoding equals the full forward, with padding and with prefix tuning's prefix. */
class DecoderCacheTest {

    private static final long[] A = {5, 17, 3, 29, 11, 7};
    private static final long[] B = {8, 2, 33, 14};

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2"})
    void stepByStepWithTheCacheEqualsTheFullForward(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local);
                KeyValueCache cache = model.newKeyValueCache(local)) {
            float[][] full = alone(model, local, A);
            NDArray first = model.forward(inputs(local, new long[][] {{A[0], A[1], A[2]}}, new long[][] {{1, 1, 1}}), cache)
                    .singletonOrThrow();
            for (int t = 0; t < 3; t++) {
                assertClose(row(first, 0, t), full[t], 1e-5);
            }
            assertThat(cache.length()).isEqualTo(3);
            for (int t = 3; t < A.length; t++) {
                try (NDManager step = local.newSubManager()) {
                    NDArray logits = model.forward(inputs(step, new long[][] {{A[t]}}, new long[][] {{1}}), cache).singletonOrThrow();
                    assertThat(logits.getShape()).isEqualTo(new Shape(1, 1, TinyDecoders.VOCAB));
                    assertClose(row(logits, 0, 0), full[t], 1e-5);
                }
            }
            assertThat(cache.length()).isEqualTo(A.length);
            assertThat(cache.keys(1).getShape()).isEqualTo(new Shape(1, model.numKeyValueHeads(), A.length, model.headDim()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void aLeftPaddedBatchDecodedWithTheCacheEqualsEachSequenceAlone(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local);
                KeyValueCache cache = model.newKeyValueCache(local)) {
            long[][] ids = {{5, 17, 3, 29}, {0, 0, 8, 2}};
            long[][] mask = {{1, 1, 1, 1}, {0, 0, 1, 1}};
            model.forward(inputs(local, ids, mask), cache);
            NDArray second = model.forward(inputs(local, new long[][] {{11}, {33}}, new long[][] {{1}, {1}}), cache).singletonOrThrow();
            NDArray third = model.forward(inputs(local, new long[][] {{7}, {14}}, new long[][] {{1}, {1}}), cache).singletonOrThrow();
            float[][] aloneA = alone(model, local, new long[] {5, 17, 3, 29, 11, 7});
            float[][] aloneB = alone(model, local, new long[] {8, 2, 33, 14});
            assertClose(row(second, 0, 0), aloneA[4], 1e-5);
            assertClose(row(third, 0, 0), aloneA[5], 1e-5);
            assertClose(row(second, 1, 0), aloneB[2], 1e-5);
            assertClose(row(third, 1, 0), aloneB[3], 1e-5);
            assertThat(cache.attentionMask().toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2"})
    void aPrefixWithTheCacheEqualsThePrefixWithout(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local);
                KeyValueCache cache = model.newKeyValueCache(local)) {
            KeyValuePrefix prefix = randomPrefix(local, model, 1, 3);
            NDArray full = forward(model, inputs(local, new long[][] {A}, new long[][] {ones(A.length)}), prefix.toParams());
            float[][] plain = alone(model, local, A);
            assertThat(maxDifference(row(full, 0, 0), plain[0])).as("the prefix changes the logits").isGreaterThan(1e-3);
            PairList<String, Object> params = prefix.toParams();
            params.add(KeyValueCache.PARAM, cache);
            NDArray first = forward(model, inputs(local, new long[][] {{A[0], A[1]}}, new long[][] {{1, 1}}), params);
            assertClose(row(first, 0, 0), row(full, 0, 0), 1e-5);
            assertClose(row(first, 0, 1), row(full, 0, 1), 1e-5);
            for (int t = 2; t < A.length; t++) {
                NDArray step = forward(model, inputs(local, new long[][] {{A[t]}}, new long[][] {{1}}), params);
                assertClose(row(step, 0, 0), row(full, 0, t), 1e-5);
            }
            assertThat(cache.length()).as("the cache holds real tokens only").isEqualTo(A.length);
        }
    }

    /**
     * HF PEFT hands the prefix to the model as {@code past_key_values}: a prefix of length P must
     * compute exactly what a cache pre-filled with those keys and values (P real past tokens) computes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void aPrefixComputesWhatACachePrefilledWithItComputes(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local);
                KeyValueCache cache = model.newKeyValueCache(local)) {
            KeyValuePrefix prefix = randomPrefix(local, model, 1, 2);
            for (int layer = 0; layer < model.numLayers(); layer++) {
                cache.append(layer, prefix.key(layer), prefix.value(layer));
            }
            cache.appendMask(local.ones(new Shape(1, 2), ai.djl.ndarray.types.DataType.INT64));
            NDList in = inputs(local, new long[][] {A}, new long[][] {ones(A.length)});
            NDArray withPrefix = forward(model, in, prefix.toParams());
            NDArray withCache = model.forward(in, cache).singletonOrThrow();
            for (int t = 0; t < A.length; t++) {
                assertClose(row(withCache, 0, t), row(withPrefix, 0, t), 1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void aPrefixedPaddedBatchEqualsEachSequenceAloneWithThePrefix(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
            KeyValuePrefix one = randomPrefix(local, model, 1, 2);
            KeyValuePrefix two = new KeyValuePrefix(repeat(one.keys()), repeat(one.values()));
            NDArray batch = forward(model, inputs(local, new long[][] {{5, 17, 3, 29}, {0, 0, 8, 2}}, new long[][] {ones(4), {0, 0, 1, 1}}),
                    two.toParams());
            NDArray aloneA = forward(model, inputs(local, new long[][] {{5, 17, 3, 29}}, new long[][] {ones(4)}), one.toParams());
            NDArray aloneB = forward(model, inputs(local, new long[][] {{8, 2}}, new long[][] {ones(2)}), one.toParams());
            for (int t = 0; t < 4; t++) {
                assertClose(row(batch, 0, t), row(aloneA, 0, t), 1e-5);
            }
            assertClose(row(batch, 1, 2), row(aloneB, 0, 0), 1e-5);
            assertClose(row(batch, 1, 3), row(aloneB, 0, 1), 1e-5);
        }
    }

    @Test
    void aPrefixSizedByTheQueryHeadsIsRejectedNamingTheKeyValueHeads() {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create("llama", local)) {
            List<NDArray> keys = new ArrayList<>();
            for (int layer = 0; layer < 2; layer++) {
                keys.add(local.zeros(new Shape(1, 4, 3, 4)));
            }
            KeyValuePrefix wrong = new KeyValuePrefix(keys, keys);
            assertThatThrownBy(() -> forward(model, inputs(local, new long[][] {A}, new long[][] {ones(A.length)}), wrong.toParams()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key_value_prefix key of layer 0 has shape (1, 4, 3, 4), expected (1, 2, prefix_len, 4)"
                            + " (num_key_value_heads, head_dim)");
        }
    }

    @Test
    void aCacheRefusesAnotherBatchAndAnEncoderRefusesACache() {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create("gpt2", local);
                KeyValueCache cache = model.newKeyValueCache(local)) {
            model.forward(inputs(local, new long[][] {{1, 2}}, new long[][] {{1, 1}}), cache);
            assertThatThrownBy(() -> model.forward(inputs(local, new long[][] {{1}, {2}}, new long[][] {{1}, {1}}), cache))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("input batch 2 differs from the cached batch 1");
            assertThatThrownBy(() -> model.forward(inputs(local, new long[][] {{1, 2}}, new long[][] {{1, 1, 1}}), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("attention_mask has shape (1, 3), input_ids (1, 2); they must be equal");
        }
        try (NDManager local = manager.newSubManager(); TransformerModel bert = TinyBert.create(local, TaskType.FEATURE_EXTRACTION)) {
            assertThatThrownBy(() -> bert.newKeyValueCache(local))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("a key/value cache needs a CAUSAL_LM decoder; this model is bert FEATURE_EXTRACTION");
        }
    }

    @Test
    void gpt2RefusesPositionsBeyondItsTable() {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create("gpt2", local)) {
            long[] ids = new long[33];
            assertThatThrownBy(() -> model.forward(inputs(local, new long[][] {ids}, new long[][] {ones(33)}), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("position 32 is beyond n_positions 32 (virtual tokens and cached tokens count)");
        }
    }

    static NDList inputs(NDManager manager, long[][] ids, long[][] mask) {
        return TinyDecoders.inputs(manager, ids, mask);
    }

    static NDArray forward(TransformerModel model, NDList inputs, PairList<String, Object> params) {
        return model.root().forward(new ParameterStore(model.manager(), false), inputs, false, params).head();
    }

    static KeyValuePrefix randomPrefix(NDManager manager, TransformerModel model, long batch, int length) {
        List<NDArray> keys = new ArrayList<>();
        List<NDArray> values = new ArrayList<>();
        Shape shape = new Shape(batch, model.numKeyValueHeads(), length, model.headDim());
        for (int layer = 0; layer < model.numLayers(); layer++) {
            keys.add(manager.randomNormal(shape));
            values.add(manager.randomNormal(shape));
        }
        return new KeyValuePrefix(keys, values);
    }

    private static List<NDArray> repeat(List<NDArray> ones) {
        return ones.stream().map(a -> a.concat(a, 0)).toList();
    }
}
