package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Inverted dropout (Srivastava et al. 2014): in training each element is zeroed with probability
 * {@code rate} and the rest scaled by {@code 1 / (1 - rate)}; the identity in inference. Shape
 * preserving.
 *
 * <p>Masks currently come from the engine's global random generator.
 */
public final class Dropout extends ModuleBlock {

    private final float rate;

    /**
     * @param rate the drop probability in {@code [0, 1)}
     * @throws IllegalArgumentException if {@code rate} is outside {@code [0, 1)}
     */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = (float) rate;
    }

    /** @return the drop probability */
    public float rate() {
        return rate;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!training || rate == 0f) {
            return inputs;
        }
        return ai.djl.nn.norm.Dropout.dropout(inputs.singletonOrThrow(), rate, true);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
