package dev.peft4j.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.Linear;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decoder arrangements against hand-computed values: projection {@code y = W x} with
 * {@code W = [[1, 2], [3, -1]]}, residual stream {@code r = (0.5, -2)}, adapter
 * {@code A(h) = W_up relu(W_down h + b_down) + b_up} with {@code W_down = [1, 1]}, {@code b_down = 0.5},
 * {@code W_up = [2, -1]^T}, {@code b_up = (0.25, 0)}, for {@code x = (1, 1)}: {@code y = (3, 2)}.
 */
class BottleneckDecoderOutputTest {

    private static NDManager manager;
    private final AdapterToggle toggle = new AdapterToggle();

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** {@code A(h)} for a 2-vector {@code h}. */
    private static double[] adapter(double h0, double h1) {
        double hidden = Math.max(0, h0 + h1 + 0.5);
        return new double[] {2 * hidden + 0.25, -hidden};
    }

    @ParameterizedTest
    @EnumSource(BottleneckPlacement.class)
    void eachArrangementComputesAdapterHubsPreLayerNormFormula(BottleneckPlacement placement) {
        try (NDManager scope = manager.newSubManager()) {
            Linear projection = new Linear(2, 2, false);
            projection.initialize(scope, DataType.FLOAT32);
            projection.weight().getArray().set(new float[] {1, 2, 3, -1});
            Linear norm = new Linear(2, 2, false);
            norm.initialize(scope, DataType.FLOAT32);
            norm.weight().getArray().set(new float[] {1, 0, 0, 1});
            BottleneckAdapter adapter = new BottleneckAdapter(2, 1, BottleneckNonLinearity.RELU, 1.0, BottleneckInit.BERT);
            adapter.initialize(scope, DataType.FLOAT32);
            adapter.down().weight().getArray().set(new float[] {1, 1});
            adapter.down().bias().getArray().set(new float[] {0.5f});
            adapter.up().weight().getArray().set(new float[] {2, -1});
            adapter.up().bias().getArray().set(new float[] {0.25f, 0});
            BottleneckResidualTap tap = new BottleneckResidualTap(norm, toggle);
            BottleneckDecoderOutput output = new BottleneckDecoderOutput(projection, 2, toggle);
            output.addAdapter("default", adapter, placement, placement == BottleneckPlacement.HOULSBY ? null : tap);
            ParameterStore store = new ParameterStore(scope, false);

            NDArray r = scope.create(new float[] {0.5f, -2}).reshape(1, 1, 2);
            NDArray tapped = tap.forward(store, new NDList(r), false).head();
            assertThat(tapped.toFloatArray()).containsExactly(0.5f, -2);
            float[] out = output.forward(store, new NDList(scope.create(new float[] {1, 1}).reshape(1, 1, 2)), false).head()
                    .toFloatArray();

            double[] y = {3, 2};
            double[] a = switch (placement) {
                case PFEIFFER -> adapter(y[0] + 0.5, y[1] - 2);
                case HOULSBY -> adapter(y[0], y[1]);
                case PARALLEL -> adapter(0.5, -2);
            };
            assertThat(out).containsExactly(new float[] {(float) (a[0] + y[0]), (float) (a[1] + y[1])}, within(1e-6f));
        }
    }

    @ParameterizedTest
    @EnumSource(value = BottleneckPlacement.class, names = {"PFEIFFER", "PARALLEL"})
    void aResidualArrangementWithoutTheNormHavingRunFailsClearly(BottleneckPlacement placement) {
        try (NDManager scope = manager.newSubManager()) {
            Linear projection = new Linear(2, 2, false);
            Linear norm = new Linear(2, 2, false);
            BottleneckAdapter adapter = new BottleneckAdapter(2, 1, BottleneckNonLinearity.RELU, 1.0, BottleneckInit.BERT);
            BottleneckDecoderOutput output = new BottleneckDecoderOutput(projection, 2, toggle);
            output.addAdapter("default", adapter, placement, new BottleneckResidualTap(norm, toggle));
            output.initialize(scope, DataType.FLOAT32);
            NDList x = new NDList(scope.ones(new ai.djl.ndarray.types.Shape(1, 1, 2)));
            assertThatThrownBy(() -> output.forward(new ParameterStore(scope, false), x, false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the bottleneck adapter found no residual stream: the feed-forward LayerNorm did not run before the"
                            + " feed-forward output projection in this layer");
        }
    }
}
