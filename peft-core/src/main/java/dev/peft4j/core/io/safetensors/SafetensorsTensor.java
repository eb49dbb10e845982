package dev.peft4j.core.io.safetensors;

import static dev.peft4j.core.io.safetensors.SafetensorsDtype.BF16;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.BOOL;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.F16;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.F32;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.F64;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.I32;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.I64;
import static dev.peft4j.core.io.safetensors.SafetensorsDtype.U8;

import dev.peft4j.core.io.HostTensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One tensor of a {@linkplain SafetensorsDtype#isSupported() supported} dtype, as stored in a
 * safetensors file: its dtype, its shape and its packed row-major little-endian bytes.
 *
 * <p>Tensors come from {@link SafetensorsMappedFile#tensor(String)} (a view on the mapped file,
 * valid until that file is closed) or from the {@link SafetensorsTensors} factories (a private
 * copy on the heap), and go to {@link SafetensorsWriter#writeTensors}. Element indices and counts
 * are {@code long} and the bytes live in a {@link MemorySegment}, so tensors over 2 GiB work; only
 * the {@code to*Array()} copies are bounded by Java's array size, and {@link #flatSlice} reads a
 * large tensor in parts.
 *
 * <p>Typed access, by dtype (the wrong dtype throws {@link IllegalStateException} naming the
 * method, the dtypes it reads and the tensor's dtype):
 * <ul>
 *   <li>{@link #getFloat}, {@link #toFloatArray}, {@link #toHostTensor}: F32, F16, BF16 (16-bit
 *       floats widened exactly in Java; BF16 never reaches DJL)
 *   <li>{@link #getDouble}, {@link #toDoubleArray}: F64 and the three above (exact)
 *   <li>{@link #getLong}, {@link #toLongArray}: I64, I32, U8 (unsigned, 0..255), BOOL (0 or 1)
 *   <li>{@link #toIntArray}: I32, U8 (unsigned), BOOL (0 or 1)
 *   <li>{@link #getBoolean}, {@link #toBooleanArray}: BOOL
 *   <li>{@link #toByteArray}: the raw little-endian bytes, any dtype
 * </ul>
 */
public final class SafetensorsTensor {

    /** The longest Java array the {@code to*Array()} methods create. */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private static final Set<SafetensorsDtype> FLOATS = EnumSet.of(F16, BF16, F32);
    private static final Set<SafetensorsDtype> REALS = EnumSet.of(F16, BF16, F32, F64);
    private static final Set<SafetensorsDtype> INTEGERS = EnumSet.of(BOOL, U8, I32, I64);
    private static final Set<SafetensorsDtype> INTS = EnumSet.of(BOOL, U8, I32);

    private final SafetensorsDtype dtype;
    private final long[] shape;
    private final long elementCount;
    private final MemorySegment data;

    /**
     * @param dtype a supported dtype
     * @param shape dimensions whose product times the element size is {@code data.byteSize()}
     * @param data the little-endian bytes (BOOL bytes already checked to be 0 or 1)
     */
    SafetensorsTensor(SafetensorsDtype dtype, long[] shape, MemorySegment data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.elementCount = data.byteSize() / dtype.byteSize();
        this.data = data;
    }

    /** @return the element type */
    public SafetensorsDtype dtype() {
        return dtype;
    }

    /** @return a copy of the shape, outermost first; {@code []} for a scalar */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements, the product of the shape */
    public long elementCount() {
        return elementCount;
    }

    /** @return the size of the data in bytes, {@code elementCount() * dtype().byteSize()} */
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * @return the little-endian bytes, read-only; a view on the mapped file for mapped tensors
     *     (closing the file invalidates it: access then throws {@link IllegalStateException})
     */
    public MemorySegment data() {
        return data.asReadOnly();
    }

    /**
     * @param index row-major element index, {@code 0 <= index < elementCount()}
     * @return the element of an F32, F16 or BF16 tensor as fp32 (exact)
     * @throws IllegalStateException for other dtypes
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public float getFloat(long index) {
        long at = offset(index, FLOATS, "getFloat(long)");
        return LittleEndian.getFloat(dtype, data, at);
    }

    /**
     * @param index row-major element index
     * @return the element of an F64, F32, F16 or BF16 tensor as a double (exact)
     * @throws IllegalStateException for other dtypes
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public double getDouble(long index) {
        long at = offset(index, REALS, "getDouble(long)");
        return dtype == F64 ? data.get(LittleEndian.DOUBLE, at) : LittleEndian.getFloat(dtype, data, at);
    }

    /**
     * @param index row-major element index
     * @return the element of an I64, I32, U8 (unsigned) or BOOL (0 or 1) tensor
     * @throws IllegalStateException for other dtypes
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public long getLong(long index) {
        long at = offset(index, INTEGERS, "getLong(long)");
        return LittleEndian.getLong(dtype, data, at);
    }

    /**
     * @param index row-major element index
     * @return the element of a BOOL tensor
     * @throws IllegalStateException for other dtypes
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public boolean getBoolean(long index) {
        long at = offset(index, EnumSet.of(BOOL), "getBoolean(long)");
        return data.get(LittleEndian.BYTE, at) != 0;
    }

    /**
     * @return the elements of an F32, F16 or BF16 tensor as fp32, row-major (exact)
     * @throws IllegalStateException for other dtypes, or over {@link #MAX_ARRAY_LENGTH} elements
     */
    public float[] toFloatArray() {
        float[] out = new float[arrayLength(FLOATS, "toFloatArray()")];
        if (dtype == F32) {
            MemorySegment.copy(data, LittleEndian.FLOAT, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = LittleEndian.getFloat(dtype, data, (long) i * dtype.byteSize());
            }
        }
        return out;
    }

    /**
     * @return the elements of an F64, F32, F16 or BF16 tensor as doubles, row-major (exact)
     * @throws IllegalStateException for other dtypes, or over {@link #MAX_ARRAY_LENGTH} elements
     */
    public double[] toDoubleArray() {
        double[] out = new double[arrayLength(REALS, "toDoubleArray()")];
        if (dtype == F64) {
            MemorySegment.copy(data, LittleEndian.DOUBLE, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = LittleEndian.getFloat(dtype, data, (long) i * dtype.byteSize());
            }
        }
        return out;
    }

    /**
     * @return the elements of an I64, I32, U8 (unsigned) or BOOL (0/1) tensor, row-major
     * @throws IllegalStateException for other dtypes, or over {@link #MAX_ARRAY_LENGTH} elements
     */
    public long[] toLongArray() {
        long[] out = new long[arrayLength(INTEGERS, "toLongArray()")];
        if (dtype == I64) {
            MemorySegment.copy(data, LittleEndian.LONG, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = LittleEndian.getLong(dtype, data, (long) i * dtype.byteSize());
            }
        }
        return out;
    }

    /**
     * @return the elements of an I32, U8 (unsigned) or BOOL (0/1) tensor, row-major
     * @throws IllegalStateException for other dtypes, or over {@link #MAX_ARRAY_LENGTH} elements
     */
    public int[] toIntArray() {
        int[] out = new int[arrayLength(INTS, "toIntArray()")];
        if (dtype == I32) {
            MemorySegment.copy(data, LittleEndian.INT, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) LittleEndian.getLong(dtype, data, (long) i * dtype.byteSize());
            }
        }
        return out;
    }

    /**
     * @return the elements of a BOOL tensor, row-major
     * @throws IllegalStateException for other dtypes, or over {@link #MAX_ARRAY_LENGTH} elements
     */
    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[arrayLength(EnumSet.of(BOOL), "toBooleanArray()")];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(LittleEndian.BYTE, i) != 0;
        }
        return out;
    }

    /**
     * @return a copy of the raw little-endian bytes, any dtype (for U8, the values as Java's
     *     signed bytes: mask with {@code & 0xFF})
     * @throws IllegalStateException over {@link #MAX_ARRAY_LENGTH} bytes
     */
    public byte[] toByteArray() {
        if (data.byteSize() > MAX_ARRAY_LENGTH) {
            throw tooLarge(data.byteSize() + " bytes");
        }
        return data.toArray(LittleEndian.BYTE);
    }

    /**
     * @return an F32, F16 or BF16 tensor as an fp32 host tensor of the same shape (exact)
     * @throws IllegalStateException for other dtypes, or over {@link #MAX_ARRAY_LENGTH} elements
     */
    public HostTensor toHostTensor() {
        return new HostTensor(shape, toFloatArray());
    }

    /**
     * A one-dimensional view of consecutive elements in row-major order, sharing the bytes: the
     * way to read a tensor larger than a Java array in parts.
     *
     * @param from the first element, {@code 0 <= from <= elementCount()}
     * @param count how many elements, {@code 0 <= count <= elementCount() - from}
     * @return a tensor of shape {@code [count]} and the same dtype
     * @throws IndexOutOfBoundsException if the range is not inside the tensor
     */
    public SafetensorsTensor flatSlice(long from, long count) {
        Objects.checkFromIndexSize(from, count, elementCount);
        long size = dtype.byteSize();
        return new SafetensorsTensor(dtype, new long[] {count}, data.asSlice(from * size, count * size));
    }

    /**
     * @return a copy on the heap, independent of the mapped file this tensor may view
     * @throws IllegalStateException if this is a view on a closed file
     */
    public SafetensorsTensor copy() {
        MemorySegment heap = SafetensorsTensors.heap(data.byteSize());
        MemorySegment.copy(data, 0, heap, 0, data.byteSize());
        return new SafetensorsTensor(dtype, shape, heap);
    }

    /** Equal when dtype, shape and every byte agree (so NaN payloads and signed zeros count). */
    @Override
    public boolean equals(Object other) {
        return other instanceof SafetensorsTensor that
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && data.mismatch(that.data) == -1;
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "SafetensorsTensor " + dtype + Arrays.toString(shape);
    }

    private long offset(long index, Set<SafetensorsDtype> readable, String method) {
        requireDtype(readable, method);
        return Objects.checkIndex(index, elementCount) * dtype.byteSize();
    }

    private int arrayLength(Set<SafetensorsDtype> readable, String method) {
        requireDtype(readable, method);
        if (elementCount > MAX_ARRAY_LENGTH) {
            throw tooLarge(elementCount + " elements");
        }
        return (int) elementCount;
    }

    private void requireDtype(Set<SafetensorsDtype> readable, String method) {
        if (!readable.contains(dtype)) {
            throw new IllegalStateException(method + " reads dtypes " + readable + ", got " + dtype);
        }
    }

    private IllegalStateException tooLarge(String size) {
        return new IllegalStateException("tensor " + dtype + Arrays.toString(shape) + " has " + size
                + ", more than a Java array holds (" + MAX_ARRAY_LENGTH + "); read it in parts with flatSlice");
    }
}
