package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.DropoutStreams;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One DoRA layer (Liu et al. 2024) against hand-computed numbers and HF PEFT's DoraLinearLayer formulas. */
class LoraDoraLayerTest {

    private static final double ROOT_70 = Math.sqrt(70);
    private static final double ROOT_413 = Math.sqrt(413);

    private NDManager manager;
    private final AdapterToggle toggle = new AdapterToggle();

    @BeforeEach
    void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    private Linear base(int in, int out, float[] weight, float[] bias) {
        Linear base = new Linear(in, out, bias != null);
        base.initialize(manager, DataType.FLOAT32);
        base.weight().getArray().set(weight);
        if (bias != null) {
            base.bias().getArray().set(bias);
        }
        base.freezeParameters(true);
        return base;
    }

    /**
     * {@code W = [[1,2,3],[4,5,6]]}, {@code b = [0.5,-0.5]}, {@code A = [[1,0,1],[0,1,0]]},
     * {@code B = [[1,2],[3,4]]}, scaling 4 / 2 = 2: {@code W + 2 B A = [[3,6,5],[10,13,12]]}, row norms
     * {@code sqrt(70)}, {@code sqrt(413)}; {@code m = [2, 3]}.
     */
    private LoraLayer handSet(double dropout) {
        LoraLayer layer = LoraLayer.builder().setBase(base(3, 2, new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, -0.5f}))
                .setRank(2).setAdapterSwitch(toggle).optAlpha(4).optDropout(dropout).optUseDora(true).build();
        layer.initialize(manager, DataType.FLOAT32);
        layer.loraA().getArray().set(new float[] {1, 0, 1, 0, 1, 0});
        layer.loraB().getArray().set(new float[] {1, 2, 3, 4});
        layer.magnitude().getArray().set(new float[] {2, 3});
        return layer;
    }

    private float[] forward(LoraLayer layer, float... x) {
        NDArray input = manager.create(x, new Shape(1, x.length));
        return layer.forward(new ParameterStore(manager, false), new NDList(input), false).singletonOrThrow().toFloatArray();
    }

    @Test
    void magnitudeIsAChildNamedAsHfPeftAndSavedUnderItsKey() {
        LoraLayer layer = handSet(0);
        assertThat(layer.usesDora()).isTrue();
        assertThat(layer.childNames()).containsExactly("base_layer", "lora_dropout", "lora_A", "lora_B", "lora_magnitude_vector");
        assertThat(layer.getParameters().keys()).containsExactly("base_layer.weight", "base_layer.bias",
                "lora_A.default.weight", "lora_B.default.weight", "lora_magnitude_vector.default");
        assertThat(layer.magnitude().getShape()).isEqualTo(new Shape(2));
        assertThat(AdapterKeys.toCheckpointKey("bert.encoder.layer.0.attention.self.query.lora_magnitude_vector.default", "default"))
                .isEqualTo("base_model.model.bert.encoder.layer.0.attention.self.query.lora_magnitude_vector");
    }

    @Test
    void plainLoraHasNoMagnitude() {
        LoraLayer layer = LoraLayer.builder().setBase(base(3, 2, new float[6], null)).setRank(2).setAdapterSwitch(toggle).build();
        assertThat(layer.usesDora()).isFalse();
        assertThat(layer.childNames()).doesNotContain("lora_magnitude_vector");
        assertThatThrownBy(layer::magnitude).isInstanceOf(IllegalStateException.class)
                .hasMessage("this LoRA layer has no magnitude vector for adapter 'default': use_dora is false");
    }

    @Test
    void magnitudeStartsAtTheRowNormsOfTheAdaptedWeight() {
        LoraLayer fresh = LoraLayer.builder().setBase(base(3, 2, new float[] {1, 2, 3, 4, 5, 6}, null))
                .setRank(2).setAdapterSwitch(toggle).optUseDora(true).build();
        fresh.initialize(manager, DataType.FLOAT32);
        // B = 0: ||W|| per row = sqrt(14), sqrt(77)
        assertThat(fresh.magnitude().getArray().toFloatArray())
                .containsExactly(new float[] {(float) Math.sqrt(14), (float) Math.sqrt(77)}, within(1e-6f));
        float[] trained = {7, 8};
        fresh.magnitude().getArray().set(trained);
        fresh.initialize(manager, DataType.FLOAT32);
        assertThat(fresh.magnitude().getArray().toFloatArray()).as("a second initialize keeps m").containsExactly(trained);

        LoraLayer random = LoraLayer.builder().setBase(base(3, 2, new float[] {1, 2, 3, 4, 5, 6}, null))
                .setRank(2).setAdapterSwitch(toggle).optInit(InitLoraWeights.RANDOM).optUseDora(true).build();
        random.initialize(manager, DataType.FLOAT32);
        float[] expected = rowNorms(add(new float[] {1, 2, 3, 4, 5, 6}, delta(random, 2, 3)), 2, 3);
        assertThat(random.magnitude().getArray().toFloatArray()).containsExactly(expected, within(1e-5f));
    }

    @Test
    void freshAdapterComputesTheBaseLayer() {
        float[] weight = randoms(new SplittableRandom(1), 6 * 5, 0.5);
        float[] bias = randoms(new SplittableRandom(2), 6, 0.5);
        LoraLayer layer = LoraLayer.builder().setBase(base(5, 6, weight, bias)).setRank(3).setAdapterSwitch(toggle)
                .optAlpha(16).optUseDora(true).build();
        layer.initialize(manager, DataType.FLOAT32);
        float[] x = {0.3f, -1.2f, 2.5f, 0.7f, -0.1f};
        float[] expected;
        try (var disabled = toggle.disable()) {
            expected = forward(layer, x);
        }
        assertThat(forward(layer, x)).containsExactly(expected, within(1e-6f));
    }

    @Test
    void forwardRescalesEachRowOfTheAdaptedWeightToItsMagnitude() {
        // W x = [6, 15], B A x = [4, 10]: W x + 2 B A x = [14, 35]; out = b + (m / n) * [14, 35]
        assertThat(forward(handSet(0), 1, 1, 1)).containsExactly(new float[] {
            (float) (0.5 + 2 * 14 / ROOT_70), (float) (-0.5 + 3 * 35 / ROOT_413)}, within(1e-5f));
    }

    @Test
    void weightNormIsDetachedSoOnlyTheDirectPathCarriesGradients() {
        LoraLayer layer = handSet(0);
        NDArray x = manager.create(new float[] {1, 1, 1}, new Shape(1, 3));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray out = layer.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
            collector.backward(out.sum());
        }
        // d/dm = (W x + s B A x) / n; d/dB[i][j] = (m_i / n_i) * s * (A x)_j with A x = [2, 1] (n held constant)
        try (NDArray gm = layer.magnitude().getArray().getGradient(); NDArray gb = layer.loraB().getArray().getGradient()) {
            assertThat(gm.toFloatArray()).containsExactly(new float[] {(float) (14 / ROOT_70), (float) (35 / ROOT_413)}, within(1e-5f));
            double r0 = 2 / ROOT_70 * 2;
            double r1 = 3 / ROOT_413 * 2;
            assertThat(gb.toFloatArray()).containsExactly(new float[] {(float) (r0 * 2), (float) r0, (float) (r1 * 2), (float) r1}, within(1e-5f));
        }
    }

    @Test
    void activeDropoutRecomputesTheBaseTermOnTheDroppedInputAsHf() {
        LoraLayer layer = handSet(0.5);
        DropoutStreams.bind("layer", layer);
        float[] x = {1, -2, 3};
        DropoutSeed seed = new DropoutSeed(3, 0);
        ParameterStore store = new ParameterStore(manager, false);
        NDArray input = manager.create(x, new Shape(1, 3));
        float[] out = layer.forward(store, new NDList(input), true, seed.toParams()).singletonOrThrow().toFloatArray();
        ModuleBlock dropoutDict = (ModuleBlock) layer.child("lora_dropout");
        float[] dropped = dropoutDict.child("default").forward(store, new NDList(input), true, seed.toParams())
                .singletonOrThrow().toFloatArray();
        long kept = 0;
        for (float v : dropped) {
            kept += v != 0 ? 1 : 0;
        }
        assertThat(kept).as("the mask drops something and keeps something").isBetween(1L, 2L);
        // out = W x + b + (m / n - 1) W x' + (m / n) * 2 * B A x'
        float[] w = {1, 2, 3, 4, 5, 6};
        float[] wx = matVec(w, x, 2, 3);
        float[] wxDropped = matVec(w, dropped, 2, 3);
        float[] baxDropped = matVec(new float[] {1, 2, 3, 4}, matVec(new float[] {1, 0, 1, 0, 1, 0}, dropped, 2, 3), 2, 2);
        double[] ratio = {2 / ROOT_70, 3 / ROOT_413};
        float[] bias = {0.5f, -0.5f};
        for (int i = 0; i < 2; i++) {
            double expected = wx[i] + bias[i] + (ratio[i] - 1) * wxDropped[i] + ratio[i] * 2 * baxDropped[i];
            assertThat(out[i]).as("row " + i).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void mergeFoldsTheRescaledWeightInAndUnmergeRestoresIt() {
        SplittableRandom random = new SplittableRandom(5);
        float[] weight = randoms(random, 6 * 8, 0.5);
        LoraLayer layer = LoraLayer.builder().setBase(base(8, 6, weight, randoms(random, 6, 0.5))).setRank(4)
                .setAdapterSwitch(toggle).optAlpha(8).optUseDora(true).build();
        layer.initialize(manager, DataType.FLOAT32);
        layer.loraA().getArray().set(randoms(random, 4 * 8, 0.3));
        layer.loraB().getArray().set(randoms(random, 6 * 4, 0.3));
        float[] m = new float[6];
        for (int i = 0; i < m.length; i++) {
            m[i] = 0.5f + (float) random.nextDouble();
        }
        layer.magnitude().getArray().set(m);
        float[] x = randoms(random, 8, 1);
        float[] unmerged = forward(layer, x);

        layer.merge();
        assertThat(layer.isMerged()).isTrue();
        float[] adapted = add(weight, delta(layer, 6, 8));
        float[] norms = rowNorms(adapted, 6, 8);
        float[] expectedMerged = new float[adapted.length];
        for (int i = 0; i < adapted.length; i++) {
            expectedMerged[i] = m[i / 8] / norms[i / 8] * adapted[i];
        }
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(expectedMerged, within(1e-5f));
        assertThat(forward(layer, x)).containsExactly(unmerged, within(1e-4f));

        layer.unmerge();
        assertThat(layer.isMerged()).isFalse();
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(weight, within(1e-6f));
        assertThat(forward(layer, x)).containsExactly(unmerged, within(1e-5f));
    }

    @Test
    void disablingAMergedDoraLayerUnmergesItAndComputesTheBase() {
        LoraLayer layer = handSet(0);
        layer.merge();
        try (var disabled = toggle.disable()) {
            assertThat(forward(layer, 1, 1, 1)).containsExactly(new float[] {6.5f, 14.5f}, within(1e-5f));
        }
        assertThat(layer.isMerged()).isFalse();
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(new float[] {1, 2, 3, 4, 5, 6}, within(1e-6f));
    }

    /** {@code scaling * B A} of the layer, row-major {@code (out, in)}. */
    private static float[] delta(LoraLayer layer, int out, int in) {
        float[] a = layer.loraA().getArray().toFloatArray();
        float[] b = layer.loraB().getArray().toFloatArray();
        int r = layer.rank();
        float[] delta = new float[out * in];
        for (int i = 0; i < out; i++) {
            for (int k = 0; k < in; k++) {
                double sum = 0;
                for (int j = 0; j < r; j++) {
                    sum += b[i * r + j] * a[j * in + k];
                }
                delta[i * in + k] = (float) (layer.scaling() * sum);
            }
        }
        return delta;
    }

    private static float[] add(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static float[] rowNorms(float[] matrix, int rows, int cols) {
        float[] norms = new float[rows];
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int k = 0; k < cols; k++) {
                sum += (double) matrix[i * cols + k] * matrix[i * cols + k];
            }
            norms[i] = (float) Math.sqrt(sum);
        }
        return norms;
    }

    private static float[] matVec(float[] matrix, float[] x, int rows, int cols) {
        float[] out = new float[rows];
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int k = 0; k < cols; k++) {
                sum += matrix[i * cols + k] * x[k];
            }
            out[i] = (float) sum;
        }
        return out;
    }

    private static float[] randoms(SplittableRandom random, int count, double bound) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextDouble(-bound, bound);
        }
        return values;
    }
}
