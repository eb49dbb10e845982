package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Layer normalisation over the last dimension (Ba et al. 2016), PyTorch's {@code nn.LayerNorm}:
 * parameters {@code weight} and {@code bias} of shape {@code (d)}. Input and output
 * {@code (..., d)}.
 */
public final class LayerNorm extends ModuleBlock implements CopyableBlock {

    private final int size;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param size the normalised width {@code d}
     * @param eps the variance epsilon, HF {@code layer_norm_eps}
     */
    public LayerNorm(int size, float eps) {
        this.size = size;
        this.eps = eps;
        this.weight = addParameter("weight", Parameter.Type.GAMMA, new Shape(size));
        this.bias = addParameter("bias", Parameter.Type.BETA, new Shape(size));
    }

    /** @return the variance epsilon */
    public float eps() {
        return eps;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = store.getValue(bias, x.getDevice(), training);
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(size), w, b, eps);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public Block copy() {
        LayerNorm copy = new LayerNorm(size, eps);
        Parameters.copyValues(this, copy);
        return copy;
    }
}
