package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Rotary position embeddings (Su et al. 2021, "RoFormer", section 3.4.2) in HF's
 * {@code LlamaRotaryEmbedding} / {@code apply_rotary_pos_emb} convention: the head's two halves
 * (not interleaved pairs) are rotated, {@code x' = x * cos + rotate_half(x) * sin} with
 * {@code rotate_half([x1, x2]) = [-x2, x1]}, the angle of position {@code p} and frequency
 * {@code i < head_dim/2} being {@code p * rope_theta^(-2i / head_dim)}, repeated over both halves.
 *
 * <p>No parameters ({@code model.rotary_emb}, as HF, holds no state-dict entry). Forward input:
 * positions {@code (batch, seq)} int64; output: {@code cos} and {@code sin}, each
 * {@code (batch, 1, seq, head_dim)} fp32, ready to broadcast over the heads.
 */
public final class RotaryEmbedding extends ModuleBlock {

    private final int headDim;
    private final float[] inverseFrequencies;

    /**
     * @param headDim the rotated width, even and &gt; 0
     * @param theta the frequency base, HF {@code rope_theta}, &gt; 0
     * @throws IllegalArgumentException if {@code headDim} is odd or not positive, or {@code theta <= 0}
     */
    public RotaryEmbedding(int headDim, double theta) {
        if (headDim <= 0 || headDim % 2 != 0 || !(theta > 0)) {
            throw new IllegalArgumentException("rotary embeddings need an even head_dim > 0 and rope_theta > 0, got head_dim="
                    + headDim + ", rope_theta=" + theta);
        }
        this.headDim = headDim;
        inverseFrequencies = new float[headDim / 2];
        for (int i = 0; i < inverseFrequencies.length; i++) {
            inverseFrequencies[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
        }
    }

    /** @return the rotated width */
    public int headDim() {
        return headDim;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray positions = inputs.singletonOrThrow().toType(DataType.FLOAT32, false);
        NDArray frequencies = positions.getManager().create(inverseFrequencies);
        NDArray angles = positions.expandDims(-1).mul(frequencies);
        NDArray both = angles.concat(angles, -1).expandDims(1);
        return new NDList(both.cos(), both.sin());
    }

    /**
     * Rotates queries or keys, HF's {@code apply_rotary_pos_emb} for one tensor.
     *
     * @param x {@code (batch, heads, seq, head_dim)}
     * @param cos {@code (batch, 1, seq, head_dim)} from {@link #forward}
     * @param sin shaped as {@code cos}
     * @return {@code x * cos + rotate_half(x) * sin}, shaped as {@code x}
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(rotateHalf(x).mul(sin));
    }

    /**
     * @param x {@code (..., d)} with {@code d} even
     * @return {@code [-x[..., d/2:], x[..., :d/2]]}
     */
    public static NDArray rotateHalf(NDArray x) {
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(new long[] {x.getShape().get(last) / 2}, last);
        return halves.get(1).neg().concat(halves.get(0), -1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape out = new Shape(inputShapes[0].get(0), 1, inputShapes[0].get(1), headDim);
        return new Shape[] {out, out};
    }
}
