package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * HF transformers' {@code Conv1D} (GPT-2's projections): a fully connected layer whose weight is
 * stored transposed, {@code (in, out)}, so {@code y = x W + b}; bias {@code (out)}. Input
 * {@code (..., in)}, output {@code (..., out)}. LoRA on it needs {@code fan_in_fan_out: true}.
 */
public final class Conv1D extends ModuleBlock implements CopyableBlock {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inFeatures input width ({@code nx} in HF), &gt; 0
     * @param outFeatures output width ({@code nf} in HF), &gt; 0
     * @throws IllegalArgumentException if a width is not positive
     */
    public Conv1D(int inFeatures, int outFeatures) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Conv1D widths must be > 0, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = addParameter("weight", Parameter.Type.WEIGHT, new Shape(inFeatures, outFeatures));
        this.bias = addParameter("bias", Parameter.Type.BIAS, new Shape(outFeatures));
    }

    /** @return the input width */
    public int inFeatures() {
        return inFeatures;
    }

    /** @return the output width */
    public int outFeatures() {
        return outFeatures;
    }

    /** @return the {@code (in, out)} weight */
    public Parameter weight() {
        return weight;
    }

    /** @return the {@code (out)} bias */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = store.getValue(bias, x.getDevice(), training);
        return new NDList(x.matMul(w).add(b));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }

    @Override
    public Block copy() {
        Conv1D copy = new Conv1D(inFeatures, outFeatures);
        Parameters.copyValues(this, copy);
        return copy;
    }
}
