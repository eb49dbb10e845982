package dev.peft4j.cuda;

/**
 * LoRA dropout on x regenerated from {@code (seed, offset)}, never stored. Element {@code i} of
 * {@code x (tokens, in_features)} (row-major index) is dropped when the upper 32 bits of
 * {@code splitmix64(seed + (offset + i + 1) * 0x9E3779B97F4A7C15)} are below {@code p * 2^32};
 * a kept element is multiplied by {@code 1 / (1 - p)} (inverted dropout, as {@code torch.nn.Dropout}).
 * The kernels compute the same function ({@code peft_hash} in {@code lora_kernels.cu}); the
 * backward pass regenerates the forward's mask from the same {@code (seed, offset)}.
 *
 * @param p the drop probability, {@code 0 <= p < 1} ({@code lora_dropout})
 * @param seed the stream's seed
 * @param offset the counter of element 0 (advance it by {@code tokens * in_features} per call to
 *     get fresh masks)
 */
public record DropoutMask(double p, long seed, long offset) {

    /** No dropout. */
    public static final DropoutMask NONE = new DropoutMask(0.0, 0L, 0L);

    /**
     * @throws IllegalArgumentException {@code lora_dropout must be in [0, 1), got 1.0}
     */
    public DropoutMask {
        if (!(p >= 0.0 && p < 1.0)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + p);
        }
    }

    /** @return the unsigned 32-bit threshold {@code floor(p * 2^32)}, as the int with those bits */
    public int threshold() {
        return (int) (long) Math.floor(p * 4294967296.0);
    }

    /** @return {@code 1 / (1 - p)} as a float */
    public float keepScale() {
        return (float) (1.0 / (1.0 - p));
    }

    /**
     * @param index the element's row-major index in x
     * @return 0 when dropped, {@link #keepScale()} when kept (1 without dropout)
     */
    public float factor(long index) {
        if (threshold() == 0) {
            return 1.0f;
        }
        return Integer.compareUnsigned(hash(seed, offset + index), threshold()) < 0 ? 0.0f : keepScale();
    }

    /**
     * @param seed the seed
     * @param counter the counter
     * @return the upper 32 bits of splitmix64's output for {@code seed + (counter + 1) * golden}
     */
    static int hash(long seed, long counter) {
        long z = seed + (counter + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) (z >>> 32);
    }
}
