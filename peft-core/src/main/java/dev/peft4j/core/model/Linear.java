package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A fully connected layer {@code y = x W^T + b}, PyTorch's {@code nn.Linear}: weight
 * {@code (out, in)}, bias {@code (out)}. Input {@code (..., in)}, output {@code (..., out)}.
 */
public final class Linear extends ModuleBlock implements CopyableBlock {

    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inFeatures input width, &gt; 0
     * @param outFeatures output width, &gt; 0
     * @param hasBias whether the layer adds a bias
     * @throws IllegalArgumentException if a width is not positive
     */
    public Linear(int inFeatures, int outFeatures, boolean hasBias) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear widths must be > 0, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = hasBias;
        this.weight = addParameter("weight", Parameter.Type.WEIGHT, new Shape(outFeatures, inFeatures));
        this.bias = hasBias ? addParameter("bias", Parameter.Type.BIAS, new Shape(outFeatures)) : null;
    }

    /** @return the input width */
    public int inFeatures() {
        return inFeatures;
    }

    /** @return the output width */
    public int outFeatures() {
        return outFeatures;
    }

    /** @return whether the layer has a bias */
    public boolean hasBias() {
        return hasBias;
    }

    /** @return the {@code (out, in)} weight */
    public Parameter weight() {
        return weight;
    }

    /** @return the {@code (out)} bias, or {@code null} without one */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = hasBias ? store.getValue(bias, x.getDevice(), training) : null;
        return b == null ? ai.djl.nn.core.Linear.linear(x, w) : ai.djl.nn.core.Linear.linear(x, w, b);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }

    @Override
    public Block copy() {
        Linear copy = new Linear(inFeatures, outFeatures, hasBias);
        Parameters.copyValues(this, copy);
        return copy;
    }
}
