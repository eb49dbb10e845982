package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.peft4j.core.io.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransformerModelTest {

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
    void parametersCarryHfStateDictNames() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            Map<String, ?> names = Parameters.byName(model.root());
            assertThat(names).containsKeys(
                    "bert.embeddings.word_embeddings.weight",
                    "bert.embeddings.LayerNorm.bias",
                    "bert.encoder.layer.1.attention.self.query.weight",
                    "bert.encoder.layer.1.attention.output.LayerNorm.weight",
                    "bert.encoder.layer.0.intermediate.dense.bias",
                    "bert.encoder.layer.0.output.dense.weight",
                    "classifier.weight",
                    "classifier.bias");
            // closed form: embeddings (50+32+2)*16 + 2*16; per layer 4*(16*16+16) + 2*2*16 + (16*32+32) + (32*16+16); head 16*2+2
            long perLayer = 4 * (16 * 16 + 16) + 2 * 2 * 16 + (16 * 32 + 32) + (32 * 16 + 16);
            long expected = (50 + 32 + 2) * 16 + 2 * 16 + 2 * perLayer + 16 * 2 + 2;
            assertThat(Parameters.count(model.root(), false)).isEqualTo(expected);
        }
    }

    @Test
    void modulesAreAddressedAndReplaceableByPath() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION)) {
            assertThat(model.modules()).containsKeys("", "embeddings", "encoder.layer.1.attention.self.value");
            Block query = model.module("encoder.layer.0.attention.self.query");
            assertThat(query).isInstanceOf(Linear.class);
            Linear replacement = new Linear(16, 16, false);
            replacement.initialize(model.manager(), ai.djl.ndarray.types.DataType.FLOAT32);
            assertThat(model.replaceModule("encoder.layer.0.attention.self.query", replacement)).isSameAs(query);
            assertThat(model.module("encoder.layer.0.attention.self.query")).isSameAs(replacement);
            assertThat(Parameters.byName(model.root())).doesNotContainKey("encoder.layer.0.attention.self.query.bias");
        }
    }

    @Test
    void unknownPathSuggestsClosest() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION)) {
            assertThatThrownBy(() -> model.module("encoder.layer.0.attention.self.qurey"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no module 'encoder.layer.0.attention.self.qurey'; closest: "
                            + "[encoder.layer.0.attention.self.query, encoder.layer.0.attention.self.key, encoder.layer.1.attention.self.query]");
        }
    }

    @Test
    void paddedBatchEqualsEachSentenceAlone() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION);
                NDManager scope = manager.newSubManager()) {
            long[][] ids = {{2, 7, 9, 11, 3}, {2, 5, 3, 0, 0}};
            long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
            NDList batch = new NDList(scope.create(ids), scope.create(mask));
            NDArray pooled = MeanPooling.pool(model.forward(batch, false).head(), batch.get(1));
            NDList alone = new NDList(scope.create(new long[][] {{2, 5, 3}}), scope.create(new long[][] {{1, 1, 1}}));
            NDArray pooledAlone = MeanPooling.pool(model.forward(alone, false).head(), alone.get(1));
            float[] a = pooled.get(1).toFloatArray();
            float[] b = pooledAlone.get(0).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void encoderWeightsRoundTripAndMismatchesAreNamed() {
        try (TransformerModel source = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION);
                TransformerModel target = TransformerModel.bert(TinyBert.config(), TaskType.SEQ_CLS, 3, manager)) {
            Map<String, HostTensor> weights = source.encoderWeights();
            target.loadEncoderWeights(weights);
            assertThat(target.encoderWeights()).isEqualTo(weights);

            var broken = new java.util.LinkedHashMap<>(weights);
            broken.remove("embeddings.LayerNorm.weight");
            broken.put("encoder.layer.9.output.dense.weight", new HostTensor(new long[] {1}, new float[] {0}));
            assertThatThrownBy(() -> target.loadEncoderWeights(broken))
                    .hasMessage("weights do not fit the model: missing [embeddings.LayerNorm.weight], "
                            + "unexpected [encoder.layer.9.output.dense.weight]");
        }
    }

    @Test
    void pooledEmbeddingsAreWhatTheHeadClassifiesAndTheMeanOfRealTokens() {
        long[][] ids = {{2, 7, 9, 11, 3}, {2, 5, 3, 0, 0}};
        long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList(scope.create(ids), scope.create(mask), scope.zeros(new ai.djl.ndarray.types.Shape(2, 5),
                    ai.djl.ndarray.types.DataType.INT64));
            NDArray pooled = model.pooledEmbeddings(inputs);
            assertThat(pooled.getShape().getShape()).containsExactly(2, 16);
            // logits = pooled W^T + b (dropout is off in evaluation), the head's own computation
            NDArray weight = Parameters.byName(model.root()).get("classifier.weight").getArray();
            NDArray bias = Parameters.byName(model.root()).get("classifier.bias").getArray();
            float[] expected = pooled.matMul(weight.transpose()).add(bias).toFloatArray();
            assertThat(model.forward(inputs, false).head().toFloatArray()).containsExactly(expected,
                    org.assertj.core.data.Offset.offset(1e-6f));
            // the encoder alone, pooled over real tokens only: padding changes nothing
            float[] rows = pooled.toFloatArray();
            NDList second = new NDList(scope.create(new long[][] {{2, 5, 3}}), scope.create(new long[][] {{1, 1, 1}}),
                    scope.zeros(new ai.djl.ndarray.types.Shape(1, 3), ai.djl.ndarray.types.DataType.INT64));
            float[] unpadded = model.pooledEmbeddings(second).toFloatArray();
            for (int i = 0; i < 16; i++) {
                assertThat(rows[16 + i]).isCloseTo(unpadded[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
        try (TransformerModel model = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            NDList inputs = new NDList(scope.create(ids), scope.create(mask));
            float[] expected = MeanPooling.pool(model.forward(inputs, false).head(), inputs.get(1)).toFloatArray();
            assertThat(model.pooledEmbeddings(inputs).toFloatArray()).containsExactly(expected);
        }
    }
}
