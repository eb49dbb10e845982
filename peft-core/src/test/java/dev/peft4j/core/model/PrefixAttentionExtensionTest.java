package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The attention extension point: a {@link KeyValuePrefix} in the forward params (TinyBert: 2 layers, 4 heads of 4). */
class PrefixAttentionExtensionTest {

    private static final int HEADS = 4;
    private static final int HEAD_SIZE = 4;

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDList batch(NDManager scope) {
        return new NDList(scope.create(new long[][] {{2, 7, 9, 3}, {2, 5, 3, 0}}), scope.create(new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}));
    }

    private static NDArray forward(TransformerModel model, NDList inputs, PairList<String, Object> params) {
        return model.root().forward(new ParameterStore(model.manager(), false), inputs, false, params).head();
    }

    private static KeyValuePrefix randomPrefix(NDManager scope, int layers, long batch, int length) {
        List<NDArray> keys = new ArrayList<>();
        List<NDArray> values = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            keys.add(scope.randomNormal(new Shape(batch, HEADS, length, HEAD_SIZE)));
            values.add(scope.randomNormal(new Shape(batch, HEADS, length, HEAD_SIZE)));
        }
        return new KeyValuePrefix(keys, values);
    }

    @Test
    void absentAndZeroLengthPrefixesLeaveTheOutputBitIdentical() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            float[] plain = forward(model, batch(scope), null).toFloatArray();
            float[] empty = forward(model, batch(scope), new PairList<>()).toFloatArray();
            float[] zeroLength = forward(model, batch(scope), randomPrefix(scope, 2, 2, 0).toParams()).toFloatArray();
            assertThat(empty).containsExactly(plain);
            assertThat(zeroLength).containsExactly(plain);
        }
    }

    @Test
    void selfAttentionPrependsItsLayersKeysAndValuesAndSeesThemFromEveryToken() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            BertSelfAttention attention = (BertSelfAttention) model.module("encoder.layer.1.attention.self");
            assertThat(attention.layerIndex()).isEqualTo(1);
            NDArray hidden = scope.randomNormal(new Shape(2, 3, 16));
            NDArray mask = BertModel.additiveMask(scope.create(new long[][] {{1, 1, 1}, {1, 1, 0}}));
            KeyValuePrefix prefix = randomPrefix(scope, 2, 2, 2);
            NDArray out = attention.forward(new ParameterStore(model.manager(), false), new NDList(hidden, mask), false,
                    prefix.toParams()).head();
            float[] expected = referenceAttention(attention, hidden, new boolean[][] {{true, true, true}, {true, true, false}},
                    prefix.key(1), prefix.value(1));
            float[] actual = out.toFloatArray();
            assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 16));
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    /** Plain-Java multi-head attention over [prefix ; own] keys and values; padded own positions excluded. */
    private static float[] referenceAttention(BertSelfAttention attention, NDArray hidden, boolean[][] real, NDArray pastKey, NDArray pastValue) {
        float[][] q = project((Linear) attention.child("query"), hidden);
        float[][] k = project((Linear) attention.child("key"), hidden);
        float[][] v = project((Linear) attention.child("value"), hidden);
        float[] pk = pastKey.toFloatArray();
        float[] pv = pastValue.toFloatArray();
        int batch = 2;
        int seq = 3;
        int past = 2;
        int hiddenSize = HEADS * HEAD_SIZE;
        float[] out = new float[batch * seq * hiddenSize];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < seq; i++) {
                    double[] scores = new double[past + seq];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < past + seq; j++) {
                        if (j >= past && !real[b][j - past]) {
                            scores[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int d = 0; d < HEAD_SIZE; d++) {
                            float key = j < past ? pk[((b * HEADS + h) * past + j) * HEAD_SIZE + d] : k[b * seq + j - past][h * HEAD_SIZE + d];
                            dot += q[b * seq + i][h * HEAD_SIZE + d] * key;
                        }
                        scores[j] = dot / Math.sqrt(HEAD_SIZE);
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < past + seq; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int d = 0; d < HEAD_SIZE; d++) {
                        double acc = 0;
                        for (int j = 0; j < past + seq; j++) {
                            float value = j < past ? pv[((b * HEADS + h) * past + j) * HEAD_SIZE + d] : v[b * seq + j - past][h * HEAD_SIZE + d];
                            acc += scores[j] / sum * value;
                        }
                        out[(b * seq + i) * hiddenSize + h * HEAD_SIZE + d] = (float) acc;
                    }
                }
            }
        }
        return out;
    }

    /** {@code x W^T + b} row by row: rows of {@code (batch * seq, out)}. */
    private static float[][] project(Linear linear, NDArray x) {
        float[] w = linear.weight().getArray().toFloatArray();
        float[] bias = linear.bias().getArray().toFloatArray();
        float[] in = x.toFloatArray();
        int width = linear.inFeatures();
        int rows = in.length / width;
        float[][] out = new float[rows][linear.outFeatures()];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < linear.outFeatures(); o++) {
                double acc = bias[o];
                for (int c = 0; c < width; c++) {
                    acc += in[r * width + c] * w[o * width + c];
                }
                out[r][o] = (float) acc;
            }
        }
        return out;
    }

    @Test
    void realTokensArePositionedAfterThePrefixAsAfterASoftPromptOfTheSameLength() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            BertEmbeddings embeddings = (BertEmbeddings) model.module("embeddings");
            NDList ids = new NDList(scope.create(new long[][] {{2, 7, 9, 3}}));
            ParameterStore store = new ParameterStore(model.manager(), false);
            NDArray shifted = embeddings.forward(store, ids, false, randomPrefix(scope, 2, 1, 3).toParams()).head();
            NDArray prompted = embeddings.forward(store, ids, false, new SoftPrompt(scope.randomNormal(new Shape(1, 3, 16))).toParams()).head();
            NDArray unshifted = embeddings.forward(store, ids, false, null).head();
            assertThat(shifted.toFloatArray()).containsExactly(prompted.get(new NDIndex(":, 3:, :")).toFloatArray());
            assertThat(shifted.toFloatArray()).isNotEqualTo(unshifted.toFloatArray());
        }
    }

    @Test
    void everyTokenStillIgnoresPaddingWithAPrefix() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            KeyValuePrefix both = randomPrefix(scope, 2, 2, 3);
            NDArray batched = forward(model, batch(scope), both.toParams());
            for (int row = 0; row < 2; row++) {
                int length = row == 0 ? 4 : 3;
                NDIndex sentence = new NDIndex("{}:{}, :{}", row, row + 1, length);
                NDList alone = new NDList(batch(scope).get(0).get(sentence), batch(scope).get(1).get(sentence));
                List<NDArray> keys = new ArrayList<>();
                List<NDArray> values = new ArrayList<>();
                for (int layer = 0; layer < 2; layer++) {
                    keys.add(both.key(layer).get(new NDIndex("{}:{}", row, row + 1)));
                    values.add(both.value(layer).get(new NDIndex("{}:{}", row, row + 1)));
                }
                float[] expected = forward(model, alone, new KeyValuePrefix(keys, values).toParams()).toFloatArray();
                float[] actual = batched.get(new NDIndex("{}:{}, :{}, :", row, row + 1, length)).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
    }

    @Test
    void badPrefixesAreRejectedNamingWhatWasExpected() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            assertThatThrownBy(() -> forward(model, batch(scope), randomPrefix(scope, 3, 2, 2).toParams()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key_value_prefix covers 3 layers, but the model has 2");
            KeyValuePrefix wideHeads = new KeyValuePrefix(
                    List.of(scope.zeros(new Shape(2, 2, 2, 8)), scope.zeros(new Shape(2, 2, 2, 8))),
                    List.of(scope.zeros(new Shape(2, 2, 2, 8)), scope.zeros(new Shape(2, 2, 2, 8))));
            assertThatThrownBy(() -> forward(model, batch(scope), wideHeads.toParams()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key_value_prefix key of layer 0 has shape (2, 2, 2, 8), expected (2, 4, prefix_len, 4)");
            assertThatThrownBy(() -> new KeyValuePrefix(List.of(scope.zeros(new Shape(2, 4, 2, 4))),
                    List.of(scope.zeros(new Shape(2, 4, 3, 4)))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key_value_prefix value of layer 0 has shape (2, 4, 3, 4), expected (2, 4, 2, 4) as every other");
            assertThatThrownBy(() -> forward(model, batch(scope), randomPrefix(scope, 2, 2, 30).toParams()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sequence of 4 tokens after 30 virtual tokens needs 34 positions, more than max_position_embeddings 32");
            assertThatThrownBy(() -> randomPrefix(scope, 2, 2, 1).key(2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key_value_prefix covers layers 0..1, not layer 2");
        }
    }
}
