package dev.peft4j.core.memory;

import dev.peft4j.core.spi.ModelShape;
import java.util.Arrays;
import java.util.Locale;

/**
 * How frozen weights are stored, and the dtype training computes in.
 *
 * <ul>
 *   <li>{@link #FP32}, {@link #FP16}, {@link #BF16}: 4, 2, 2 bytes per weight; activations in the same dtype.
 *   <li>{@link #INT8} (accounting only): bitsandbytes' LLM.int8 ({@code Linear8bitLt}, Dettmers et
 *       al. 2022): 1 byte per weight plus one fp32 absmax scale per output row ({@code SCB});
 *       compute in bf16.
 *   <li>{@link #NF4} (accounting only): bitsandbytes' 4-bit NormalFloat as QLoRA uses it (Dettmers
 *       et al. 2023, section 3): half a byte per weight, blocks of 64 weights with one absmax each,
 *       double quantisation stores that absmax as 8 bits with one fp32 scale per 256 absmaxes:
 *       {@code 0.5 + 1/64 + 4/(64*256)} bytes, 4.127 bits per weight; compute in bf16.
 * </ul>
 * Only the weights of linear layers are quantised (as bitsandbytes replaces {@code nn.Linear});
 * embeddings, norms, biases and the output head ({@code lm_head}, {@code classifier}) stay in the
 * compute dtype, as transformers keeps them.
 */
public enum WeightFormat {
    /** 32-bit floats. */
    FP32("fp32", 4),
    /** IEEE half precision. */
    FP16("fp16", 2),
    /** bfloat16. */
    BF16("bf16", 2),
    /** LLM.int8 with per-row fp32 scales; accounting only. */
    INT8("int8", 2),
    /** QLoRA NF4, block 64, double-quantised scales; accounting only. */
    NF4("nf4", 2);

    /** NF4's block of weights sharing one absmax. */
    public static final int NF4_BLOCK = 64;
    /** Double quantisation's block of absmaxes sharing one fp32 scale. */
    public static final int NF4_SCALE_BLOCK = 256;

    private final String json;
    private final int computeBytes;

    WeightFormat(String json, int computeBytes) {
        this.json = json;
        this.computeBytes = computeBytes;
    }

    /** @return the CLI spelling ({@code bf16}) */
    public String json() {
        return json;
    }

    /** @return bytes of one activation (and trainable-weight and gradient) element in the compute dtype */
    public int computeBytes() {
        return computeBytes;
    }

    /** @return whether the compute dtype is narrower than fp32, so AdamW keeps an fp32 master copy */
    public boolean mixedPrecision() {
        return computeBytes < 4;
    }

    /** @return whether linear weights are quantised (int8, nf4) */
    public boolean quantized() {
        return this == INT8 || this == NF4;
    }

    /**
     * Bytes of one frozen tensor in this format.
     *
     * @param tensor the tensor
     * @param quantizable whether it is the weight of a quantisable linear layer
     * @return bytes, scales included
     * @throws ArithmeticException if the byte count overflows a {@code long}
     */
    public long bytes(ModelShape.Tensor tensor, boolean quantizable) {
        long n = ExactLong.product(tensor.rows(), tensor.columns());
        if (!quantizable || !quantized()) {
            return ExactLong.product(n, computeBytes);
        }
        if (this == INT8) {
            return ExactLong.sum(n, ExactLong.product(4, tensor.rows()));
        }
        long blocks = ceilDiv(n, NF4_BLOCK);
        return ExactLong.sum(ceilDiv(n, 2), blocks, 4 * ceilDiv(blocks, NF4_SCALE_BLOCK));
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }

    /**
     * @param text {@code fp32}, {@code fp16}, {@code bf16}, {@code int8} or {@code nf4} (any case)
     * @return the format
     * @throws IllegalArgumentException {@code dtype must be one of [fp32, fp16, bf16, int8, nf4], got 'fp8'}
     */
    public static WeightFormat parse(String text) {
        for (WeightFormat format : values()) {
            if (format.json.equals(text == null ? null : text.toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("dtype must be one of " + Arrays.stream(values()).map(WeightFormat::json).toList()
                + ", got '" + text + "'");
    }
}
