package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Root-mean-square layer normalisation (Zhang and Sennrich 2019, "Root Mean Square Layer
 * Normalization", eq. 4), as HF's {@code LlamaRMSNorm}:
 * {@code y = weight * x / sqrt(mean(x^2 over the last axis) + eps)}, without centring or bias.
 * Parameter {@code weight (d)}, initialised to ones. Input and output {@code (..., d)} fp32.
 */
public final class RmsNorm extends ModuleBlock implements CopyableBlock {

    private final int size;
    private final double eps;
    private final Parameter weight;

    /**
     * @param size the normalised width {@code d}, &gt; 0
     * @param eps the epsilon added to the mean square, HF {@code rms_norm_eps}, &gt; 0
     * @throws IllegalArgumentException if {@code size} or {@code eps} is not positive
     */
    public RmsNorm(int size, double eps) {
        if (size <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("RmsNorm needs size > 0 and eps > 0, got size=" + size + ", eps=" + eps);
        }
        this.size = size;
        this.eps = eps;
        this.weight = addParameter("weight", Parameter.Type.GAMMA, new Shape(size));
    }

    /** @return the epsilon */
    public double eps() {
        return eps;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray meanSquare = x.mul(x).mean(new int[] {-1}, true);
        NDArray rms = ScalarOps.add(meanSquare, eps).sqrt();
        return new NDList(x.div(rms).mul(w));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public Block copy() {
        RmsNorm copy = new RmsNorm(size, eps);
        Parameters.copyValues(this, copy);
        return copy;
    }
}
