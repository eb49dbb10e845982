package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DropoutTest {

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
    void sameSeedStepAndStreamGiveTheSameMask() {
        long stream = CounterRng.streamId("bert.encoder.layer.0.output.dropout");
        assertThat(CounterRng.dropoutMask(7, 3, stream, 4096, 0.1))
                .isEqualTo(CounterRng.dropoutMask(7, 3, stream, 4096, 0.1));
    }

    @Test
    void maskFollowsItsDefinitionAcrossParallelChunksAndOddSizes() {
        int count = 600_001; // odd, and filled in several parallel chunks
        float[] mask = CounterRng.dropoutMask(3, 9, 77, count, 0.3);
        long key = CounterRng.key(3, 9, 77);
        long threshold = (long) Math.ceil(0.3 * 0x1.0p32);
        for (int i = 0; i < count; i += 997) {
            long bits = CounterRng.bits(key, i / 2);
            long half = i % 2 == 0 ? bits >>> 32 : bits & 0xFFFFFFFFL;
            assertThat(mask[i]).as("element %d", i).isEqualTo(half >= threshold ? (float) (1 / 0.7) : 0f);
        }
        long last = CounterRng.bits(key, (count - 1) / 2) >>> 32;
        assertThat(mask[count - 1]).isEqualTo(last >= threshold ? (float) (1 / 0.7) : 0f);
    }

    @Test
    void differentStepStreamOrSeedGiveDifferentMasks() {
        long layer0 = CounterRng.streamId("bert.encoder.layer.0.output.dropout");
        long layer1 = CounterRng.streamId("bert.encoder.layer.1.output.dropout");
        float[] base = CounterRng.dropoutMask(7, 3, layer0, 4096, 0.5);
        float[] nextStep = CounterRng.dropoutMask(7, 4, layer0, 4096, 0.5);
        float[] otherLayer = CounterRng.dropoutMask(7, 3, layer1, 4096, 0.5);
        float[] otherSeed = CounterRng.dropoutMask(8, 3, layer0, 4096, 0.5);
        // independent masks at p = 0.5 agree on about half the elements (sd 32): far from all of them
        assertThat(agreement(base, nextStep)).isBetween(1800, 2300);
        assertThat(agreement(base, otherLayer)).isBetween(1800, 2300);
        assertThat(agreement(base, otherSeed)).isBetween(1800, 2300);
    }

    @Test
    void streamIdsAreStableAndDistinct() {
        // FNV-1a of "" is the offset basis 0xcbf29ce484222325, then mixed: fixed forever.
        assertThat(CounterRng.streamId("")).isEqualTo(CounterRng.mix64(0xCBF29CE484222325L));
        assertThat(CounterRng.streamId("a.dropout")).isNotEqualTo(CounterRng.streamId("b.dropout"));
    }

    @Test
    void keepRateIsOneMinusPOverAHundredThousandElements() {
        int n = 100_000;
        for (double p : new double[] {0.1, 0.5, 0.9}) {
            for (long step = 0; step < 3; step++) {
                float[] mask = CounterRng.dropoutMask(42, step, CounterRng.streamId("x.dropout"), n, p);
                int kept = 0;
                for (float value : mask) {
                    kept += value != 0f ? 1 : 0;
                }
                // binomial(n, 1-p): 5 standard deviations is at most 5 * sqrt(n / 4) = 791
                double bound = 5 * Math.sqrt(n * p * (1 - p));
                assertThat((double) kept).as("p=%s step=%s", p, step).isCloseTo(n * (1 - p), org.assertj.core.data.Offset.offset(bound));
            }
        }
    }

    @Test
    void keptElementsAreScaledByInverseKeepProbability() {
        Dropout dropout = new Dropout(0.25);
        dropout.bindStream("dropout");
        try (NDManager scope = manager.newSubManager()) {
            NDArray ones = scope.ones(new ai.djl.ndarray.types.Shape(64, 32));
            float[] out = dropout.forward(new ParameterStore(scope, false), new NDList(ones), true, new DropoutSeed(1, 2).toParams())
                    .head().toFloatArray();
            float[] expected = CounterRng.dropoutMask(1, 2, CounterRng.streamId("dropout"), 64 * 32, 0.25);
            assertThat(out).isEqualTo(expected);
            for (float value : out) {
                assertThat(value).isIn(0f, 1f / 0.75f);
            }
        }
    }

    @Test
    void inferenceIsTheIdentity() {
        Dropout dropout = new Dropout(0.5);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new ai.djl.ndarray.types.Shape(8, 8));
            NDList out = dropout.forward(new ParameterStore(scope, false), new NDList(x), false, null);
            assertThat(out.head().toFloatArray()).isEqualTo(x.toFloatArray());
        }
    }

    @Test
    void unboundDropoutRefusesToTrain() {
        Dropout dropout = new Dropout(0.1);
        try (NDManager scope = manager.newSubManager()) {
            NDList x = new NDList(scope.ones(new ai.djl.ndarray.types.Shape(4)));
            assertThatThrownBy(() -> dropout.forward(new ParameterStore(scope, false), x, true, null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("this Dropout has no stream id");
        }
    }

    @Test
    void modelDropoutsAreBoundByPathIncludingReplacements() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS)) {
            Dropout attention = (Dropout) model.module("bert.encoder.layer.1.attention.self.dropout");
            assertThat(attention.streamPath()).isEqualTo("bert.encoder.layer.1.attention.self.dropout");
            assertThat(((Dropout) model.module("dropout")).streamPath()).isEqualTo("dropout");

            BertResidualOutput fresh = new BertResidualOutput(TinyBert.config(), 16);
            fresh.initialize(model.manager(), ai.djl.ndarray.types.DataType.FLOAT32);
            model.replaceModule("bert.encoder.layer.0.attention.output", fresh);
            assertThat(((Dropout) fresh.child("dropout")).streamPath()).isEqualTo("bert.encoder.layer.0.attention.output.dropout");
        }
    }

    @Test
    void seededTrainingForwardIsReproducibleAndVariesWithStep() {
        try (TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS);
                NDManager scope = manager.newSubManager()) {
            NDList inputs = inputs(scope);
            float[] a = model.forward(inputs, new DropoutSeed(5, 0)).head().toFloatArray();
            float[] b = model.forward(inputs, new DropoutSeed(5, 0)).head().toFloatArray();
            float[] c = model.forward(inputs, new DropoutSeed(5, 1)).head().toFloatArray();
            float[] inference = model.forward(inputs, false).head().toFloatArray();
            assertThat(a).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(inference);
        }
    }

    @Test
    void unseededTrainingForwardCountsItsOwnCallsFromZero() {
        try (TransformerModel first = TinyBert.create(manager, TaskType.SEQ_CLS);
                TransformerModel second = TinyBert.create(manager, TaskType.SEQ_CLS);
                NDManager scope = manager.newSubManager()) {
            NDList inputs = inputs(scope);
            float[] first0 = first.forward(inputs, true).head().toFloatArray();
            float[] first1 = first.forward(inputs, true).head().toFloatArray();
            float[] second0 = second.forward(inputs, true).head().toFloatArray();
            float[] seeded = second.forward(inputs, new DropoutSeed(DropoutSeed.DEFAULT_SEED, 0)).head().toFloatArray();
            assertThat(first0).isEqualTo(second0).isEqualTo(seeded).isNotEqualTo(first1);
        }
    }

    @Test
    void negativeStepIsRejected() {
        assertThatThrownBy(() -> new DropoutSeed(1, -1)).hasMessage("dropout step must be >= 0, got -1");
        assertThatThrownBy(() -> CounterRng.dropoutMask(1, 0, 0, 4, 1.0)).hasMessage("dropout rate must be in [0, 1), got 1.0");
    }

    private static NDList inputs(NDManager scope) {
        return new NDList(scope.create(new long[][] {{2, 7, 9, 11, 3}, {2, 5, 3, 0, 0}}),
                scope.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}));
    }

    private static int agreement(float[] a, float[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += (a[i] == 0f) == (b[i] == 0f) ? 1 : 0;
        }
        return same;
    }
}
