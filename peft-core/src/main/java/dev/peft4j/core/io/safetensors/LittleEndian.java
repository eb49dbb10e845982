package dev.peft4j.core.io.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The little-endian, unaligned element layouts of the safetensors data section, and element reads
 * that widen the narrow types. Unaligned because a file written by someone else may place a tensor
 * at any byte offset.
 */
final class LittleEndian {

    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {}

    /**
     * @param dtype F32, F16 or BF16
     * @param data the bytes
     * @param at byte offset of the element
     * @return the element as fp32 (exact)
     */
    static float getFloat(SafetensorsDtype dtype, MemorySegment data, long at) {
        return switch (dtype) {
            case F32 -> data.get(FLOAT, at);
            case F16 -> HalfFloats.f16ToFloat(data.get(SHORT, at));
            case BF16 -> HalfFloats.bf16ToFloat(data.get(SHORT, at));
            default -> throw new IllegalArgumentException("not a 16/32-bit float dtype: " + dtype);
        };
    }

    /**
     * @param dtype I64, I32, U8 or BOOL
     * @param data the bytes
     * @param at byte offset of the element
     * @return the element as a long (U8 unsigned)
     */
    static long getLong(SafetensorsDtype dtype, MemorySegment data, long at) {
        return switch (dtype) {
            case I64 -> data.get(LONG, at);
            case I32 -> data.get(INT, at);
            case U8, BOOL -> Byte.toUnsignedLong(data.get(BYTE, at));
            default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
        };
    }
}
