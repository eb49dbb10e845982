package dev.peft4j.core.io.safetensors;

import java.nio.ByteBuffer;

/**
 * Decodes little-endian F32, F16 and BF16 elements into fp32, exactly (both 16-bit formats are
 * subsets of fp32: every value, subnormals, infinities and NaN included, widens without rounding).
 */
final class HalfFloats {

    private HalfFloats() {}

    /**
     * @param dtype F32, F16 or BF16
     * @param source little-endian bytes, positioned at the first element
     * @param target where the values go
     * @param offset first index written in {@code target}
     * @param count number of elements
     */
    static void decode(SafetensorsDtype dtype, ByteBuffer source, float[] target, int offset, int count) {
        switch (dtype) {
            case F32 -> source.asFloatBuffer().get(target, offset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    target[offset + i] = Float.float16ToFloat(source.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    target[offset + i] = bf16ToFloat(source.getShort());
                }
            }
            default -> throw new IllegalArgumentException("cannot decode " + dtype + " as fp32");
        }
    }

    /**
     * @param bits a bfloat16 bit pattern
     * @return the fp32 with those bits as its upper half
     */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
