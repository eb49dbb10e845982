package dev.peft4j.core.io;

import java.util.Arrays;

/**
 * A dense fp32 tensor held on the Java heap, row-major, as read from or written to a weight file.
 *
 * <p>This is the exchange type between the readers in {@code core.io} (ONNX, safetensors) and the
 * models in {@code core.model}: files are parsed into host tensors first, so that no DJL native
 * call ever sees an unsupported dtype (BF16 and F16 are widened to F32 in Java, see
 * ARCHITECTURE.md).
 *
 * @param shape the dimensions, outermost first; {@code []} for a scalar
 * @param values the elements in row-major order; {@code values.length} equals the product of
 *     {@code shape}
 */
public record HostTensor(long[] shape, float[] values) {

    /**
     * Validates that the element count matches the shape.
     *
     * @throws IllegalArgumentException if a dimension is negative or the sizes disagree
     */
    public HostTensor {
        shape = shape.clone();
        long count = elementCount(shape);
        if (count != values.length) {
            throw new IllegalArgumentException(
                    "tensor shape " + Arrays.toString(shape) + " holds " + count
                            + " elements, got " + values.length + " values");
        }
    }

    /**
     * The number of elements a tensor of this shape holds.
     *
     * @param shape the dimensions
     * @return their product (1 for a scalar)
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** @return a copy of the shape */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements */
    public int size() {
        return values.length;
    }

    /**
     * Returns the transpose of a 2-D tensor: {@code (rows, cols) -> (cols, rows)}.
     *
     * @return a new tensor
     * @throws IllegalStateException if this tensor is not 2-D
     */
    public HostTensor transpose2d() {
        if (shape.length != 2) {
            throw new IllegalStateException("transpose2d needs a 2-D tensor, got shape " + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = values[r * cols + c];
            }
        }
        return new HostTensor(new long[] {cols, rows}, out);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HostTensor that
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape);
    }
}
