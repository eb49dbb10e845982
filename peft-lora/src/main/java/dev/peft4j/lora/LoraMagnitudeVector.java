package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ScalarOps;

/**
 * DoRA's trainable magnitude vector for one {@link LoraLayer} and the arithmetic around it (Liu et
 * al. 2024, "DoRA: Weight-Decomposed Low-Rank Adaptation", eq. 5 and section 4.3), HF PEFT's
 * {@code DoraLinearLayer}.
 *
 * <p>For a base weight {@code W (out, in)} and the LoRA update {@code ΔW = scaling * B A}, DoRA's
 * weight is {@code W' = m * (W + ΔW) / ||W + ΔW||}, the norm taken over each output row
 * ({@code n (out)}, HF's {@code torch.linalg.norm(W + ΔW, dim=1)}) and {@code m (out)} trained.
 * Following the paper's section 4.3 and HF PEFT, {@code n} is computed from detached values: it
 * tracks {@code ΔW} but receives no gradient.
 *
 * <ul>
 *   <li>Initialisation ({@link #initializeFrom}): {@code m = ||W + ΔW||}; with {@code B = 0} that is
 *       {@code ||W||}, so a fresh adapter computes exactly the base layer.</li>
 *   <li>Forward ({@link #term}), HF's {@code DoraLinearLayer.forward}: the layer adds
 *       {@code (m / n - 1) * base + (m / n) * scaling * lora} to the base output {@code W x + b},
 *       where {@code lora = B A x'} and {@code base = W x'} (bias excluded), {@code x'} the dropped
 *       input. Without active dropout ({@code lora_dropout} 0 or inference) {@code x' = x} and HF
 *       reuses the base output minus the bias; the result is then
 *       {@code b + (m / n) * (W x + scaling * B A x)}. {@code m / n - 1} is computed as
 *       {@code (m - n) / n}, which is exactly 0 for a fresh adapter.</li>
 *   <li>Merge ({@link #mergedChange}): {@code W' = (m / n) * (W + ΔW)} row-wise, added as the change
 *       {@code W' - W}; the layer keeps the unmerged {@code W} while merged (see {@link LoraLayer}), so
 *       unmerging restores it exactly (HF caches {@code n} and divides back instead).</li>
 * </ul>
 *
 * <p>Names: this block is the layer's child {@code lora_magnitude_vector} and holds one parameter
 * per DoRA adapter, named after the adapter (HF's {@code ParameterDict} layout), so the parameter path reads {@code <layer>.lora_magnitude_vector.default}
 * and the checkpoint key {@code base_model.model.<layer>.lora_magnitude_vector}: exactly HF PEFT's
 * saved key (HF holds {@code m} as {@code lora_magnitude_vector.default.weight} in memory since its
 * DoRA refactor and strips {@code .weight} on save to keep the earlier {@code ParameterDict}
 * layout, which this block reproduces).
 */
public final class LoraMagnitudeVector extends ModuleBlock {

    /** The child name of this block in a {@link LoraLayer}, HF's attribute name. */
    public static final String NAME = "lora_magnitude_vector";

    /** An empty vector dictionary; {@link #add} gives each DoRA adapter its {@code m}. */
    LoraMagnitudeVector() {}

    /**
     * Adds an adapter's {@code m}, initialised to ones until {@link #initializeFrom}.
     *
     * @param adapterName the adapter's name, which names the parameter
     * @param outFeatures the wrapped layer's output width
     * @return {@code m}, shape {@code (out)}
     */
    Parameter add(String adapterName, int outFeatures) {
        Parameter magnitude = addParameter(adapterName, Parameter.Type.WEIGHT, new Shape(outFeatures));
        magnitude.setInitializer(Initializer.ONES);
        return magnitude;
    }

    /**
     * Removes an adapter's {@code m}.
     *
     * @param adapterName the adapter's name
     */
    void remove(String adapterName) {
        removeParameter(adapterName);
    }

    /**
     * Sets {@code m} to the row norms of {@code W + scaling * B A} (HF's {@code update_layer}).
     *
     * @param magnitude the adapter's {@code m (out)}
     * @param weight {@code W (out, in)}
     * @param a {@code A (r, in)}
     * @param b {@code B (out, r)}
     * @param scaling the LoRA scaling
     */
    static void initializeFrom(Parameter magnitude, NDArray weight, NDArray a, NDArray b, double scaling) {
        try (NDArray norm = rowNorm(weight, a, b, scaling)) {
            magnitude.getArray().set(norm.toFloatArray());
        }
    }

    /**
     * {@code ||W + scaling * B A||} per output row, from detached values.
     *
     * @param weight {@code W (out, in)}
     * @param a {@code A (r, in)}
     * @param b {@code B (out, r)}
     * @param scaling the LoRA scaling
     * @return {@code n (out)}, no gradient, owned by {@code weight}'s manager: close it
     */
    static NDArray rowNorm(NDArray weight, NDArray a, NDArray b, double scaling) {
        // every operand is detached, so DJL's mul(Number) is safe here (see ScalarOps)
        try (NDArray w = weight.stopGradient(); NDArray aD = a.stopGradient(); NDArray bD = b.stopGradient();
                NDArray product = bD.matMul(aD); NDArray delta = product.mul(scaling); NDArray sum = w.add(delta)) {
            return sum.norm(new int[] {1});
        }
    }

    /**
     * The DoRA output term the layer adds to its base output (HF's {@code result_dora}).
     *
     * @param store the parameter store of the forward pass
     * @param magnitude the adapter's {@code m (out)}
     * @param baseResult {@code W x'} without bias, {@code (..., out)}
     * @param loraResult {@code B A x'} unscaled, {@code (..., out)}
     * @param norm {@code n (out)} from {@link #rowNorm}, detached
     * @param scaling the LoRA scaling
     * @param training whether this is a training pass
     * @return {@code ((m - n) / n) * baseResult + (m / n) * scaling * loraResult}, {@code (..., out)},
     *     owned by {@code baseResult}'s manager
     */
    static NDArray term(ParameterStore store, Parameter magnitude, NDArray baseResult, NDArray loraResult, NDArray norm,
            double scaling, boolean training) {
        NDManager owner = baseResult.getManager();
        NDArray m = store.getValue(magnitude, baseResult.getDevice(), training);
        NDArray difference = owned(m.sub(norm), owner);
        NDArray shift = owned(difference.div(norm), owner);
        NDArray scale = owned(m.div(norm), owner);
        return baseResult.mul(shift).add(ScalarOps.mul(loraResult.mul(scale), scaling));
    }

    /**
     * The change DoRA makes to the unmerged weight: {@code (m / n) * (W + scaling * B A) - W} row-wise,
     * {@code n = ||W + scaling * B A||}, from detached values. Adding it to {@code W} gives HF's merged
     * DoRA weight; the same term is what the forward pass adds ({@link #term}), so it also merges
     * exactly beside other adapters.
     *
     * @param magnitude the adapter's {@code m (out)}
     * @param weight the unmerged {@code W (out, in)}
     * @param a {@code A (r, in)}
     * @param b {@code B (out, r)}
     * @param scaling the LoRA scaling
     * @return {@code (out, in)}, detached, owned by {@code weight}'s manager: close it
     */
    static NDArray mergedChange(Parameter magnitude, NDArray weight, NDArray a, NDArray b, double scaling) {
        try (NDArray norm = rowNorm(weight, a, b, scaling); NDArray m = magnitude.getArray().stopGradient();
                NDArray ratio = m.div(norm); NDArray column = ratio.reshape(norm.getShape().get(0), 1);
                NDArray w = weight.stopGradient(); NDArray aD = a.stopGradient(); NDArray bD = b.stopGradient();
                NDArray product = bD.matMul(aD); NDArray delta = product.mul(scaling); NDArray adapted = w.add(delta);
                NDArray scaled = adapted.mul(column)) {
            return scaled.sub(w);
        }
    }

    private static NDArray owned(NDArray array, NDManager owner) {
        array.attach(owner);
        return array;
    }

    /** @throws UnsupportedOperationException always: the owning {@link LoraLayer} calls {@link #term} */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("the magnitude vector is not called; call the LoraLayer");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
