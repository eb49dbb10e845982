package dev.peft4j.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.BertResidualOutput;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TinyBert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The bottleneck against hand-computed numbers, and each placement's residual/LayerNorm arrangement. */
class BottleneckLayerTest {

    private NDManager manager;
    private final AdapterToggle toggle = new AdapterToggle();

    @BeforeEach
    void start() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    /** {@code d = 2, m = 1}: {@code W_down = [1, -2]}, {@code b_down = 0.5}, {@code W_up = [2, -1]^T}, {@code b_up = [0.1, 0.2]}. */
    private BottleneckAdapter handAdapter(BottleneckNonLinearity f, double scaling) {
        BottleneckAdapter adapter = new BottleneckAdapter(2, 1, f, scaling, BottleneckInit.ZERO_UP);
        adapter.initialize(manager, DataType.FLOAT32);
        adapter.down().weight().getArray().set(new float[] {1, -2});
        adapter.down().bias().getArray().set(new float[] {0.5f});
        adapter.up().weight().getArray().set(new float[] {2, -1});
        adapter.up().bias().getArray().set(new float[] {0.1f, 0.2f});
        return adapter;
    }

    private float[] run(Block block, NDArray... inputs) {
        return block.forward(new ParameterStore(manager, false), new NDList(inputs), false).head().toFloatArray();
    }

    @Test
    void bottleneckMatchesHandComputedValues() {
        // W_down h + b_down = [-0.5, 2.5] for h = [1, 1] and [3, 0.5]
        NDArray h = manager.create(new float[][] {{1, 1}, {3, 0.5f}});
        // relu: [0, 2.5] -> up [0.1, 0.2], [5.1, -2.3]; times 2
        assertThat(run(handAdapter(BottleneckNonLinearity.RELU, 2.0), h))
                .containsExactly(new float[] {0.2f, 0.4f, 10.2f, -4.6f}, within(1e-6f));
        assertThat(run(handAdapter(BottleneckNonLinearity.RELU, 1.0), h))
                .containsExactly(new float[] {0.1f, 0.2f, 5.1f, -2.3f}, within(1e-6f));
        double[] pre = {-0.5, 2.5};
        assertUp(BottleneckNonLinearity.TANH, h, Math.tanh(pre[0]), Math.tanh(pre[1]));
        assertUp(BottleneckNonLinearity.SWISH, h, pre[0] / (1 + Math.exp(-pre[0])), pre[1] / (1 + Math.exp(-pre[1])));
        // exact GELU x * Phi(x): Phi(-0.5) = 0.3085375387, Phi(2.5) = 0.9937903347
        assertUp(BottleneckNonLinearity.GELU, h, -0.5 * 0.3085375387, 2.5 * 0.9937903347);
    }

    private void assertUp(BottleneckNonLinearity f, NDArray h, double first, double second) {
        float[] expected = {(float) (2 * first + 0.1), (float) (-first + 0.2), (float) (2 * second + 0.1), (float) (-second + 0.2)};
        assertThat(run(handAdapter(f, 1.0), h)).as(f.json()).containsExactly(expected, within(1e-5f));
    }

    @Test
    void adapterHasTwoDmPlusDPlusMParameters() {
        BottleneckAdapter adapter = new BottleneckAdapter(384, 24, BottleneckNonLinearity.RELU, 1.0, BottleneckInit.ZERO_UP);
        adapter.initialize(manager, DataType.FLOAT32);
        assertThat(Parameters.count(adapter, false)).isEqualTo(2 * 384 * 24 + 384 + 24).isEqualTo(18_840);
        assertThat(Parameters.byName(adapter).keySet())
                .containsExactly("adapter_down.weight", "adapter_down.bias", "adapter_up.weight", "adapter_up.bias");
        assertThat(adapter.down().weight().getArray().getShape()).isEqualTo(new Shape(24, 384));
        assertThat(adapter.up().weight().getArray().getShape()).isEqualTo(new Shape(384, 24));
        assertThat(adapter.up().weight().getArray().abs().sum().getFloat()).isZero();
        assertThat(adapter.down().bias().getArray().abs().sum().getFloat()).isZero();
        // Kaiming-uniform a = sqrt(5): |w| <= 1/sqrt(384)
        assertThat(adapter.down().weight().getArray().abs().max().getFloat()).isPositive().isLessThanOrEqualTo((float) (1 / Math.sqrt(384)));
    }

    @Test
    void bertAndHoulsbyInitialisationsDrawEveryWeight() {
        BottleneckAdapter bert = new BottleneckAdapter(384, 24, BottleneckNonLinearity.RELU, 1.0, BottleneckInit.BERT);
        bert.initialize(manager, DataType.FLOAT32);
        float[] up = bert.up().weight().getArray().toFloatArray();
        double mean = 0;
        double square = 0;
        for (float w : up) {
            mean += w / up.length;
            square += (double) w * w / up.length;
        }
        assertThat(Math.sqrt(square - mean * mean)).isCloseTo(0.02, within(0.001));
        assertThat(bert.up().bias().getArray().abs().sum().getFloat()).isZero();
        BottleneckAdapter houlsby = new BottleneckAdapter(384, 24, BottleneckNonLinearity.RELU, 1.0, BottleneckInit.HOULSBY);
        houlsby.initialize(manager, DataType.FLOAT32);
        for (NDArray weight : new NDArray[] {houlsby.down().weight().getArray(), houlsby.up().weight().getArray()}) {
            assertThat(weight.abs().max().getFloat()).isPositive().isLessThanOrEqualTo(0.02f);
        }
    }

    /** A TinyBert feed-forward output {@code (in 32 -> 16)} wrapped with a random adapter. */
    private BottleneckLayer wrapped(BottleneckPlacement placement, BottleneckInit init) {
        BertResidualOutput base = new BertResidualOutput(TinyBert.config(), 32);
        base.initialize(manager, DataType.FLOAT32);
        BottleneckAdapter adapter = new BottleneckAdapter(16, 4, BottleneckNonLinearity.SWISH, 1.5, init);
        adapter.initialize(manager, DataType.FLOAT32);
        return new BottleneckLayer(base, "default", adapter, placement, toggle);
    }

    private NDArray x() {
        return manager.randomNormal(new Shape(2, 3, 32));
    }

    private NDArray residual() {
        return manager.randomNormal(new Shape(2, 3, 16));
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void eachPlacementArrangesResidualsAndLayerNormAsAdapterHub(BottleneckPlacement placement) {
        BottleneckLayer layer = wrapped(placement, BottleneckInit.BERT);
        NDArray x = x();
        NDArray r = residual();
        ParameterStore store = new ParameterStore(manager, false);
        Block layerNorm = layer.child("LayerNorm");
        NDArray y = layer.child("dense").forward(store, new NDList(x), false).head();
        NDArray adapterInput = switch (placement) {
            case PFEIFFER -> layerNorm.forward(store, new NDList(y.add(r)), false).head();
            case HOULSBY -> y;
            case PARALLEL -> r;
        };
        NDArray a = layer.adapter().forward(store, new NDList(adapterInput), false).head();
        float[] expected = layerNorm.forward(store, new NDList(a.add(y).add(r)), false).head().toFloatArray();
        float[] base = run(layer.base(), x, r);

        float[] actual = run(layer, x, r);
        assertThat(actual).containsExactly(expected);
        assertThat(actual).isNotEqualTo(base);
        try (var disabled = toggle.disable()) {
            assertThat(run(layer, x, r)).containsExactly(base);
        }
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void aZeroUpAdapterIsBitIdenticalToTheWrappedBlock(BottleneckPlacement placement) {
        BottleneckLayer layer = wrapped(placement, BottleneckInit.ZERO_UP);
        NDArray x = x();
        NDArray r = residual();
        assertThat(run(layer, x, r)).containsExactly(run(layer.base(), x, r));
    }

    @Test
    void theAdapterMustBeAsWideAsTheBlocksOutput() {
        BertResidualOutput base = new BertResidualOutput(TinyBert.config(), 32);
        BottleneckAdapter adapter = new BottleneckAdapter(32, 4, BottleneckNonLinearity.RELU, 1.0, BottleneckInit.ZERO_UP);
        assertThatThrownBy(() -> new BottleneckLayer(base, "default", adapter, BottleneckPlacement.PFEIFFER, toggle))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the bottleneck adapter's width 32 differs from the wrapped block's output width 16");
    }

    @Test
    void keepsTheWrappedBlocksChildNamesAndAddsTheAdapterDictionary() {
        BottleneckLayer layer = wrapped(BottleneckPlacement.PFEIFFER, BottleneckInit.ZERO_UP);
        assertThat(layer.childNames()).containsExactly("dense", "LayerNorm", "dropout", "adapters");
        assertThat(layer.child("dense")).isSameAs(layer.base().child("dense"));
        assertThat(Parameters.byName(layer).keySet()).containsExactly(
                "dense.weight", "dense.bias", "LayerNorm.weight", "LayerNorm.bias",
                "adapters.default.adapter_down.weight", "adapters.default.adapter_down.bias",
                "adapters.default.adapter_up.weight", "adapters.default.adapter_up.bias");
    }
}
