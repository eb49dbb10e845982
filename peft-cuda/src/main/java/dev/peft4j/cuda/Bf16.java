package dev.peft4j.cuda;

/**
 * bfloat16 conversions: a bf16 value is the upper 16 bits of a binary32. Rounding is to nearest,
 * ties to even (as PyTorch's {@code tensor.to(torch.bfloat16)}); NaN stays NaN.
 */
public final class Bf16 {

    private Bf16() {
    }

    /**
     * @param value a float
     * @return its bf16 bits, rounded to nearest even
     */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * @param bits bf16 bits
     * @return the float it stands for (exact)
     */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * @param value a float
     * @return the nearest bf16 value, as a float
     */
    public static float round(float value) {
        return toFloat(fromFloat(value));
    }

    /**
     * @param values floats
     * @return each rounded to bf16, as floats (a new array)
     */
    public static float[] round(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = round(values[i]);
        }
        return out;
    }
}
