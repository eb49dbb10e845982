package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RMSNorm, rotary embeddings, gelu_new, Conv1D and grouped-query attention against hand-computed closed forms. */
class DecoderNumericsTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void rmsNormDividesByTheRootMeanSquareAndScales() {
        try (NDManager local = manager.newSubManager()) {
            RmsNorm norm = new RmsNorm(4, 1e-6);
            norm.initialize(local, DataType.FLOAT32);
            norm.parameter("weight").getArray().set(new float[] {1f, 0.5f, 2f, 1f});
            float[] y = norm.forward(new ParameterStore(local, false), new NDList(local.create(new float[][] {{1, 2, 3, 4}})), false)
                    .head().toFloatArray();
            double rms = Math.sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
            assertThat(y[0]).isCloseTo((float) (1 / rms), within(1e-6f));
            assertThat(y[1]).isCloseTo((float) (0.5 * 2 / rms), within(1e-6f));
            assertThat(y[2]).isCloseTo((float) (2 * 3 / rms), within(1e-6f));
            assertThat(y[3]).isCloseTo((float) (4 / rms), within(1e-6f));
        }
    }

    @Test
    void rotaryRotatesTheTwoHalvesByPositionTimesFrequency() {
        try (NDManager local = manager.newSubManager()) {
            RotaryEmbedding rotary = new RotaryEmbedding(4, 10000);
            NDList cosSin = rotary.forward(new ParameterStore(local, false), new NDList(local.create(new long[][] {{3}})), false);
            NDArray x = local.create(new float[] {1, 2, 3, 4}).reshape(1, 1, 1, 4);
            float[] y = RotaryEmbedding.apply(x, cosSin.get(0), cosSin.get(1)).toFloatArray();
            // frequencies 10000^(-0/4) = 1 and 10000^(-2/4) = 0.01; rotate_half([1, 2, 3, 4]) = [-3, -4, 1, 2]
            double a = 3.0;
            double b = 0.03;
            assertThat(y[0]).isCloseTo((float) (1 * Math.cos(a) - 3 * Math.sin(a)), within(1e-5f));
            assertThat(y[1]).isCloseTo((float) (2 * Math.cos(b) - 4 * Math.sin(b)), within(1e-5f));
            assertThat(y[2]).isCloseTo((float) (3 * Math.cos(a) + 1 * Math.sin(a)), within(1e-5f));
            assertThat(y[3]).isCloseTo((float) (4 * Math.cos(b) + 2 * Math.sin(b)), within(1e-5f));
            assertThat(RotaryEmbedding.rotateHalf(x).toFloatArray()).containsExactly(-3, -4, 1, 2);
        }
    }

    @Test
    void rotaryScoresDependOnlyOnTheRelativePosition() {
        try (NDManager local = manager.newSubManager()) {
            RotaryEmbedding rotary = new RotaryEmbedding(8, 10000);
            NDList cosSin = rotary.forward(new ParameterStore(local, false), new NDList(local.create(new long[][] {{2, 7, 12, 17}})), false);
            NDArray q = local.randomNormal(new ai.djl.ndarray.types.Shape(1, 1, 1, 8)).broadcast(1, 1, 4, 8);
            NDArray k = local.randomNormal(new ai.djl.ndarray.types.Shape(1, 1, 1, 8)).broadcast(1, 1, 4, 8);
            float[] rq = RotaryEmbedding.apply(q, cosSin.get(0), cosSin.get(1)).toFloatArray();
            float[] rk = RotaryEmbedding.apply(k, cosSin.get(0), cosSin.get(1)).toFloatArray();
            // (q at 7, k at 2) and (q at 17, k at 12): both 5 apart
            assertThat(dot(rq, 1, rk, 0)).isCloseTo(dot(rq, 3, rk, 2), within(1e-4));
            assertThat(Math.abs(dot(rq, 1, rk, 0) - dot(rq, 2, rk, 0))).isGreaterThan(1e-3);
        }
    }

    @Test
    void geluNewIsTheTanhApproximation() {
        try (NDManager local = manager.newSubManager()) {
            double[] xs = {-3, -1, -0.5, 0, 0.5, 1, 2.5};
            float[] input = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                input[i] = (float) xs[i];
            }
            float[] y = GeluNew.apply(local.create(input)).toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double x = xs[i];
                double expected = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
                assertThat(y[i]).as("gelu_new(%s)", x).isCloseTo((float) expected, within(1e-6f));
            }
            // gelu_new(1) = 0.841192 (the exact GELU gives 0.841345)
            assertThat(y[5]).isCloseTo(0.841192f, within(1e-6f));
        }
    }

    @Test
    void conv1dMultipliesByItsInOutWeight() {
        try (NDManager local = manager.newSubManager()) {
            Conv1D conv = new Conv1D(2, 3);
            conv.initialize(local, DataType.FLOAT32);
            conv.weight().getArray().set(new float[] {1, 2, 3, 4, 5, 6});
            conv.bias().getArray().set(new float[] {0.5f, 0, -1});
            float[] y = conv.forward(new ParameterStore(local, false), new NDList(local.create(new float[][] {{1, 10}})), false)
                    .head().toFloatArray();
            // [1, 10] x [[1, 2, 3], [4, 5, 6]] + b = [41.5, 52, 62]
            assertThat(y).containsExactly(41.5f, 52f, 62f);
        }
    }

    /** HF's repeat_kv: query head h uses key/value head h / (heads / kv_heads). */
    @Test
    void groupedQueryAttentionEqualsMultiHeadWithEachKeyValueHeadRepeatedForItsGroup() {
        try (NDManager local = manager.newSubManager();
                TransformerModel gqa = TransformerModel.llama(TinyDecoders.llamaConfig(false), local);
                TransformerModel mha = TransformerModel.llama(TinyDecoders.parse(
                        "{\"vocab_size\":40,\"hidden_size\":16,\"intermediate_size\":24,\"num_hidden_layers\":2,"
                                + "\"num_attention_heads\":4,\"num_key_value_heads\":4}", LlamaConfig.class), local)) {
            Map<String, dev.peft4j.core.io.HostTensor> weights = new java.util.LinkedHashMap<>(gqa.encoderWeights());
            for (String key : weights.keySet().toArray(String[]::new)) {
                if (key.endsWith("k_proj.weight") || key.endsWith("v_proj.weight")) {
                    weights.put(key, repeatHeadRows(weights.get(key), 2, 2, 4));
                }
            }
            mha.loadEncoderWeights(weights);
            NDList in = TinyDecoders.inputs(local, new long[][] {{5, 17, 3, 29, 11}}, new long[][] {{1, 1, 1, 1, 1}});
            float[] expected = mha.forward(in, false).head().toFloatArray();
            float[] actual = gqa.forward(in, false).head().toFloatArray();
            assertThat(DecoderForwardTest.maxDifference(actual, expected)).isLessThan(1e-5);
        }
    }

    /** {@code (kv * d, in)} rows of kv heads, each repeated {@code groups} times consecutively. */
    private static dev.peft4j.core.io.HostTensor repeatHeadRows(dev.peft4j.core.io.HostTensor weight, int kv, int groups, int d) {
        int in = Math.toIntExact(weight.shape()[1]);
        float[] out = new float[kv * groups * d * in];
        int row = 0;
        for (int head = 0; head < kv; head++) {
            for (int g = 0; g < groups; g++) {
                System.arraycopy(weight.values(), head * d * in, out, row * in, d * in);
                row += d;
            }
        }
        return new dev.peft4j.core.io.HostTensor(new long[] {(long) kv * groups * d, in}, out);
    }

    private static double dot(float[] a, int rowA, float[] b, int rowB) {
        double sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += a[rowA * 8 + i] * b[rowB * 8 + i];
        }
        return sum;
    }
}
