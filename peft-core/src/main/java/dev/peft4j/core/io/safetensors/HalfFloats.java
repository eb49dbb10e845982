package dev.peft4j.core.io.safetensors;

/**
 * Conversions between fp32 and the two 16-bit float formats of safetensors.
 *
 * <p>Widening ({@code F16}/{@code BF16} to fp32) is exact: both formats are subsets of fp32, every
 * value, subnormals, infinities and NaN included. Narrowing rounds to nearest, ties to even (IEEE
 * 754 {@code roundTiesToEven}, what PyTorch's {@code tensor.to(torch.float16 / torch.bfloat16)}
 * does): values beyond the largest finite value round to infinity, tiny values to subnormals or
 * signed zero, and NaN stays NaN (quiet, sign kept).
 */
final class HalfFloats {

    private static final int BF16_QUIET_BIT = 0x0040;

    private HalfFloats() {}

    /**
     * @param bits an IEEE 754 binary16 bit pattern
     * @return its exact fp32 value
     */
    static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /**
     * @param value an fp32 value
     * @return the nearest binary16 bit pattern, ties to even ({@link Float#floatToFloat16})
     */
    static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /**
     * @param bits a bfloat16 bit pattern
     * @return the fp32 with those bits as its upper half
     */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds to the nearest bfloat16, ties to even: adds {@code 0x7FFF} plus the lowest kept bit to
     * the fp32 bits and keeps the upper half; the carry rounds up through the exponent, so the
     * largest finite values round to infinity exactly as IEEE requires. NaN is handled first,
     * because truncating a NaN whose payload lives only in the low 16 bits would give infinity.
     *
     * @param value an fp32 value
     * @return the nearest bfloat16 bit pattern
     */
    static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | BF16_QUIET_BIT);
        }
        int lowestKeptBit = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lowestKeptBit) >>> 16);
    }
}
