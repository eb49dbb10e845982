package dev.peft4j.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ScalarOps;
import java.util.Objects;

/**
 * The bottleneck of one adapter, without its residual (Houlsby et al. 2019, eq. in section 2.1;
 * AdapterHub's {@code Adapter.forward} up to the residual):
 * {@code A(h) = scaling * (W_up f(W_down h + b_down) + b_up)}.
 *
 * <p>Children {@code adapter_down} ({@code Linear(d, m)} with bias, weight {@code W_down (m, d)})
 * and {@code adapter_up} ({@code Linear(m, d)} with bias, weight {@code W_up (d, m)}):
 * {@code 2 d m + d + m} parameters. Input {@code (..., d)}, output {@code (..., d)}.
 * {@link #initialize} allocates them with the configured {@link BottleneckInit}.
 */
public final class BottleneckAdapter extends ModuleBlock {

    private final int hiddenSize;
    private final int bottleneckSize;
    private final BottleneckNonLinearity nonLinearity;
    private final double scaling;
    private final Linear down;
    private final Linear up;

    /**
     * @param hiddenSize {@code d}, &gt; 0
     * @param bottleneckSize {@code m}, &gt; 0
     * @param nonLinearity {@code f}
     * @param scaling the factor on the output, finite
     * @param init how the projections start
     * @throws IllegalArgumentException if a width is not positive or {@code scaling} is not finite
     */
    public BottleneckAdapter(int hiddenSize, int bottleneckSize, BottleneckNonLinearity nonLinearity, double scaling,
            BottleneckInit init) {
        if (!Double.isFinite(scaling)) {
            throw new IllegalArgumentException("bottleneck.scaling must be a finite number, got " + scaling);
        }
        this.hiddenSize = hiddenSize;
        this.bottleneckSize = bottleneckSize;
        this.nonLinearity = Objects.requireNonNull(nonLinearity, "nonLinearity");
        this.scaling = scaling;
        this.down = addChild("adapter_down", new Linear(hiddenSize, bottleneckSize, true));
        this.up = addChild("adapter_up", new Linear(bottleneckSize, hiddenSize, true));
        down.weight().setInitializer(init.downWeight(hiddenSize));
        down.bias().setInitializer(Initializer.ZEROS);
        up.weight().setInitializer(init.upWeight());
        up.bias().setInitializer(Initializer.ZEROS);
    }

    /** @return {@code adapter_down}, weight {@code (m, d)}, bias {@code (m)} */
    public Linear down() {
        return down;
    }

    /** @return {@code adapter_up}, weight {@code (d, m)}, bias {@code (d)} */
    public Linear up() {
        return up;
    }

    /** @return the input and output width {@code d} */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** @return the bottleneck width {@code m} */
    public int bottleneckSize() {
        return bottleneckSize;
    }

    /** @return the activation {@code f} */
    public BottleneckNonLinearity nonLinearity() {
        return nonLinearity;
    }

    /** @return the factor on the output */
    public double scaling() {
        return scaling;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray projected = down.forward(store, inputs, training, params).singletonOrThrow();
        NDArray expanded = up.forward(store, new NDList(nonLinearity.apply(projected)), training, params).singletonOrThrow();
        // x * 1.0 == x exactly, so skipping the product changes no bit
        return new NDList(scaling == 1.0 ? expanded : ScalarOps.mul(expanded, scaling));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
