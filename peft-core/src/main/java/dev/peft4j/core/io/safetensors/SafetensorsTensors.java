package dev.peft4j.core.io.safetensors;

import dev.peft4j.core.io.HostTensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Builds {@link SafetensorsTensor}s from Java arrays, one factory per supported dtype. Each copies
 * the values into a private little-endian buffer on the heap, so later changes to the array do not
 * show. Narrowing to F16 and BF16 rounds to nearest, ties to even, as PyTorch's
 * {@code tensor.to(torch.float16 / torch.bfloat16)} does (overflow to infinity, underflow to
 * subnormals or signed zero, NaN stays NaN).
 *
 * <p>Every factory throws {@link IllegalArgumentException} when the shape has a negative dimension,
 * its element count overflows a {@code long}, or it disagrees with the number of values given:
 * {@code shape [2, 3] holds 6 elements, got 5 values}.
 */
public final class SafetensorsTensors {

    private static final Set<SafetensorsDtype> HOST_TARGETS =
            EnumSet.of(SafetensorsDtype.F16, SafetensorsDtype.BF16, SafetensorsDtype.F32, SafetensorsDtype.F64);

    private SafetensorsTensors() {}

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major
     * @return an F32 tensor holding the values exactly
     */
    public static SafetensorsTensor ofF32(long[] shape, float... values) {
        MemorySegment data = allocate(SafetensorsDtype.F32, shape, values.length);
        MemorySegment.copy(values, 0, data, LittleEndian.FLOAT, 0, values.length);
        return new SafetensorsTensor(SafetensorsDtype.F32, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major, rounded to the nearest binary16 (ties to even)
     * @return an F16 tensor
     */
    public static SafetensorsTensor ofF16(long[] shape, float... values) {
        MemorySegment data = allocate(SafetensorsDtype.F16, shape, values.length);
        for (int i = 0; i < values.length; i++) {
            data.set(LittleEndian.SHORT, 2L * i, HalfFloats.floatToF16(values[i]));
        }
        return new SafetensorsTensor(SafetensorsDtype.F16, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major, rounded to the nearest bfloat16 (ties to even)
     * @return a BF16 tensor
     */
    public static SafetensorsTensor ofBf16(long[] shape, float... values) {
        MemorySegment data = allocate(SafetensorsDtype.BF16, shape, values.length);
        for (int i = 0; i < values.length; i++) {
            data.set(LittleEndian.SHORT, 2L * i, HalfFloats.floatToBf16(values[i]));
        }
        return new SafetensorsTensor(SafetensorsDtype.BF16, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major
     * @return an F64 tensor holding the values exactly
     */
    public static SafetensorsTensor ofF64(long[] shape, double... values) {
        MemorySegment data = allocate(SafetensorsDtype.F64, shape, values.length);
        MemorySegment.copy(values, 0, data, LittleEndian.DOUBLE, 0, values.length);
        return new SafetensorsTensor(SafetensorsDtype.F64, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major
     * @return an I64 tensor
     */
    public static SafetensorsTensor ofI64(long[] shape, long... values) {
        MemorySegment data = allocate(SafetensorsDtype.I64, shape, values.length);
        MemorySegment.copy(values, 0, data, LittleEndian.LONG, 0, values.length);
        return new SafetensorsTensor(SafetensorsDtype.I64, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major
     * @return an I32 tensor
     */
    public static SafetensorsTensor ofI32(long[] shape, int... values) {
        MemorySegment data = allocate(SafetensorsDtype.I32, shape, values.length);
        MemorySegment.copy(values, 0, data, LittleEndian.INT, 0, values.length);
        return new SafetensorsTensor(SafetensorsDtype.I32, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major, as unsigned bytes ({@code (byte) 255} is 255)
     * @return a U8 tensor
     */
    public static SafetensorsTensor ofU8(long[] shape, byte... values) {
        MemorySegment data = allocate(SafetensorsDtype.U8, shape, values.length);
        MemorySegment.copy(values, 0, data, LittleEndian.BYTE, 0, values.length);
        return new SafetensorsTensor(SafetensorsDtype.U8, shape, data);
    }

    /**
     * @param shape the dimensions, outermost first
     * @param values the elements, row-major, stored as bytes 0 and 1
     * @return a BOOL tensor
     */
    public static SafetensorsTensor ofBool(long[] shape, boolean... values) {
        MemorySegment data = allocate(SafetensorsDtype.BOOL, shape, values.length);
        for (int i = 0; i < values.length; i++) {
            data.set(LittleEndian.BYTE, i, (byte) (values[i] ? 1 : 0));
        }
        return new SafetensorsTensor(SafetensorsDtype.BOOL, shape, data);
    }

    /**
     * Converts an fp32 host tensor for writing: F32 and F64 exactly, F16 and BF16 rounded to
     * nearest, ties to even.
     *
     * @param tensor the values and shape
     * @param dtype F32, F16, BF16 or F64
     * @return a tensor of that dtype
     * @throws IllegalArgumentException for another dtype:
     *     {@code a HostTensor converts to [F16, BF16, F32, F64], got I64}
     */
    public static SafetensorsTensor of(HostTensor tensor, SafetensorsDtype dtype) {
        float[] values = tensor.values();
        return switch (dtype) {
            case F32 -> ofF32(tensor.shape(), values);
            case F16 -> ofF16(tensor.shape(), values);
            case BF16 -> ofBf16(tensor.shape(), values);
            case F64 -> {
                double[] wide = new double[values.length];
                for (int i = 0; i < values.length; i++) {
                    wide[i] = values[i];
                }
                yield ofF64(tensor.shape(), wide);
            }
            default -> throw new IllegalArgumentException(
                    "a HostTensor converts to " + HOST_TARGETS + ", got " + dtype);
        };
    }

    /**
     * Wraps raw element bytes, exactly as they would stand in a file.
     *
     * @param dtype a supported dtype
     * @param shape the dimensions, outermost first
     * @param littleEndian {@code product(shape) * dtype.byteSize()} bytes, row-major, little-endian;
     *     copied
     * @return the tensor
     * @throws IllegalArgumentException for an unsupported dtype
     *     ({@code unsupported dtype I8; supported: [BOOL, U8, F16, BF16, I32, F32, I64, F64]}), a byte
     *     count that disagrees with the shape, or a BOOL byte other than 0 or 1
     */
    public static SafetensorsTensor ofBytes(SafetensorsDtype dtype, long[] shape, byte[] littleEndian) {
        if (!dtype.isSupported()) {
            throw new IllegalArgumentException(dtype.unsupportedMessage());
        }
        long count = elementCount(shape);
        if (count > Long.MAX_VALUE / dtype.byteSize() || count * dtype.byteSize() != littleEndian.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + (count > Long.MAX_VALUE / dtype.byteSize() ? "more than 2^63" : count * dtype.byteSize())
                    + " bytes, got " + littleEndian.length);
        }
        if (dtype == SafetensorsDtype.BOOL) {
            for (int i = 0; i < littleEndian.length; i++) {
                if (littleEndian[i] != 0 && littleEndian[i] != 1) {
                    throw new IllegalArgumentException(boolByteMessage(i, littleEndian[i]));
                }
            }
        }
        MemorySegment data = heap(littleEndian.length);
        MemorySegment.copy(littleEndian, 0, data, LittleEndian.BYTE, 0, littleEndian.length);
        return new SafetensorsTensor(dtype, shape, data);
    }

    /** {@code BOOL element 3 is 0x02; allowed: 0x00 (false), 0x01 (true)}. */
    static String boolByteMessage(long index, byte value) {
        return "BOOL element " + index + " is 0x" + String.format("%02X", value & 0xFF)
                + "; allowed: 0x00 (false), 0x01 (true)";
    }

    private static MemorySegment allocate(SafetensorsDtype dtype, long[] shape, int valueCount) {
        long count = elementCount(shape);
        if (count != valueCount) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + count + " elements, got " + valueCount + " values");
        }
        return heap((long) valueCount * dtype.byteSize());
    }

    private static long elementCount(long[] shape) {
        try {
            return HostTensor.elementCount(shape);
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " overflows a 64-bit element count");
        }
    }

    /** Heap memory backed by a {@code long[]}, so up to 16 GiB fit in one segment. */
    static MemorySegment heap(long bytes) {
        long words = (bytes + Long.BYTES - 1) / Long.BYTES;
        return MemorySegment.ofArray(new long[Math.toIntExact(words)]).asSlice(0, bytes);
    }
}
