package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderForwardTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static final long[] A = {5, 17, 3, 29, 11};
    private static final long[] B = {8, 2, 33};

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2"})
    void logitsHaveOneRowPerTokenOverTheVocabulary(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
            NDArray logits = model.forward(TinyDecoders.inputs(local, new long[][] {A, A}, new long[][] {ones(5), ones(5)}), false)
                    .singletonOrThrow();
            assertThat(logits.getShape().getShape()).containsExactly(2, 5, TinyDecoders.VOCAB);
            assertThat(logits.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
            assertThat(logits.abs().max().getFloat()).isGreaterThan(0f).isFinite();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2"})
    void leftAndRightPaddedBatchesEqualEachSequenceAlone(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
            float[][] aloneA = alone(model, local, A);
            float[][] aloneB = alone(model, local, B);
            long[][] rightIds = {A, {8, 2, 33, 0, 0}};
            long[][] rightMask = {ones(5), {1, 1, 1, 0, 0}};
            NDArray right = model.forward(TinyDecoders.inputs(local, rightIds, rightMask), false).singletonOrThrow();
            long[][] leftIds = {A, {0, 0, 8, 2, 33}};
            long[][] leftMask = {ones(5), {0, 0, 1, 1, 1}};
            NDArray left = model.forward(TinyDecoders.inputs(local, leftIds, leftMask), false).singletonOrThrow();
            for (int t = 0; t < 5; t++) {
                assertClose(row(right, 0, t), aloneA[t], 1e-5);
                assertClose(row(left, 0, t), aloneA[t], 1e-5);
            }
            for (int t = 0; t < 3; t++) {
                assertClose(row(right, 1, t), aloneB[t], 1e-5);
                assertClose(row(left, 1, t + 2), aloneB[t], 1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2"})
    void aLaterTokenDoesNotChangeEarlierLogits(String kind) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
            float[][] original = alone(model, local, A);
            float[][] changed = alone(model, local, new long[] {5, 17, 3, 1, 11});
            for (int t = 0; t < 3; t++) {
                assertClose(changed[t], original[t], 0);
            }
            assertThat(maxDifference(changed[3], original[3])).isGreaterThan(1e-4);
        }
    }

    static float[][] alone(TransformerModel model, NDManager manager, long[] ids) {
        NDArray logits = model.forward(TinyDecoders.inputs(manager, new long[][] {ids}, new long[][] {ones(ids.length)}), false)
                .singletonOrThrow();
        float[][] rows = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            rows[t] = row(logits, 0, t);
        }
        return rows;
    }

    static float[] row(NDArray logits, int batch, int position) {
        return logits.get(new NDIndex("{}, {}, :", batch, position)).toFloatArray();
    }

    static long[] ones(int n) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, 1L);
        return out;
    }

    static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    static void assertClose(float[] actual, float[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(maxDifference(actual, expected)).isCloseTo(0.0, within(tolerance));
    }
}
