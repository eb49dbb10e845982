package dev.peft4j.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;

/**
 * Prefix tuning's reparameterisation MLP (Li and Liang 2021, section 4.3), HF PEFT's
 * {@code PrefixEncoder.transform = Sequential(Linear(d, h), Tanh(), Linear(h, layers * 2 * d))}:
 * children {@code 0} and {@code 2} (HF's indices, so parameters are named
 * {@code transform.0.weight}, {@code transform.2.bias}, ...). Both layers start as PyTorch's
 * {@code nn.Linear}: weight and bias {@code ~ U(-1/sqrt(in), 1/sqrt(in))}.
 *
 * <p>Input {@code (..., d)}; output {@code (..., layers * 2 * d)}.
 */
public final class PrefixProjection extends ModuleBlock {

    private final int outFeatures;

    /**
     * @param tokenDim the input width {@code d}
     * @param hiddenSize the MLP's hidden width ({@code encoder_hidden_size})
     * @param outFeatures {@code layers * 2 * d}
     * @throws IllegalArgumentException if a width is not positive
     */
    public PrefixProjection(int tokenDim, int hiddenSize, int outFeatures) {
        this.outFeatures = outFeatures;
        torchDefault(addChild("0", new Linear(tokenDim, hiddenSize, true)), tokenDim);
        torchDefault(addChild("2", new Linear(hiddenSize, outFeatures, true)), hiddenSize);
    }

    private static void torchDefault(Linear linear, int in) {
        UniformInitializer bound = new UniformInitializer((float) (1 / Math.sqrt(in)));
        linear.setInitializer(bound, Parameter.Type.WEIGHT);
        linear.setInitializer(bound, Parameter.Type.BIAS);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = child("0").forward(store, inputs, training, params).head().tanh();
        return child("2").forward(store, new NDList(hidden), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }
}
