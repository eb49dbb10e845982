package dev.peft4j.core.model;

import java.nio.charset.StandardCharsets;

/**
 * A stateless, counter-based random generator: every value is a pure function of
 * {@code (seed, step, stream, index)}, so a dropout mask can be regenerated exactly for any
 * training step (exact resume) without saving generator state, and without DJL's single global
 * seed (see ARCHITECTURE.md, "Decisions already measured").
 *
 * <p>The key {@code (seed, step, stream)} is folded through the SplitMix64 finaliser (Steele,
 * Lea and Flood 2014, "Fast splittable pseudorandom number generators"; the finaliser is
 * Stafford's "Mix13"); element {@code i} is then the SplitMix64 output for state
 * {@code key + (i + 1) * 0x9E3779B97F4A7C15}, i.e. the {@code i}-th value of the SplitMix64
 * sequence started at {@code key}. Uniform doubles take the top 53 bits, as
 * {@link java.util.SplittableRandom#nextDouble()} does.
 *
 * <p>Not cryptographic. Thread-safe (no state).
 */
public final class CounterRng {

    /** The SplitMix64 increment: the odd integer closest to {@code 2^64 / phi}. */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private CounterRng() {}

    /**
     * The SplitMix64 finaliser: a bijection on 64-bit values with full avalanche.
     *
     * @param z any value
     * @return the mixed value
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The key of one stream at one step: distinct {@code (seed, step, stream)} triples give
     * unrelated keys (each fold is injective in its new component).
     *
     * @param seed the run's seed
     * @param step the counter (for dropout: the index of the training forward pass)
     * @param stream the stream id (for dropout: derived from the module path, see {@link #streamId})
     * @return the key
     */
    public static long key(long seed, long step, long stream) {
        long k = mix64(seed + GOLDEN_GAMMA);
        k = mix64(k + step * GOLDEN_GAMMA);
        return mix64(k + stream * GOLDEN_GAMMA);
    }

    /**
     * The {@code index}-th 64-bit value of the stream with key {@code key}.
     *
     * @param key from {@link #key}
     * @param index the element index, &gt;= 0
     * @return 64 random bits
     */
    public static long bits(long key, long index) {
        return mix64(key + (index + 1) * GOLDEN_GAMMA);
    }

    /**
     * The {@code index}-th value of the stream as a uniform double in {@code [0, 1)}, a multiple
     * of {@code 2^-53}.
     *
     * @param key from {@link #key}
     * @param index the element index, &gt;= 0
     * @return the uniform value
     */
    public static double uniform(long key, long index) {
        return (bits(key, index) >>> 11) * DOUBLE_UNIT;
    }

    /**
     * A stable 64-bit id for a name (a module path): FNV-1a over its UTF-8 bytes, then
     * {@link #mix64}. The same in every JVM and run.
     *
     * @param name any string, e.g. {@code bert.encoder.layer.0.attention.self.dropout}
     * @return the id
     */
    public static long streamId(String name) {
        long hash = 0xCBF29CE484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x100000001B3L;
        }
        return mix64(hash);
    }

    /**
     * An inverted-dropout multiplier mask: element {@code i} is {@code 1 / (1 - rate)} (kept) when
     * {@code uniform(key(seed, step, stream), i) >= rate}, else {@code 0} (dropped). The expected
     * keep rate is {@code 1 - rate}.
     *
     * @param seed the run's seed
     * @param step the forward-pass counter
     * @param stream the dropout's stream id
     * @param count the number of elements
     * @param rate the drop probability in {@code [0, 1)}
     * @return {@code count} multipliers, row-major over the tensor they scale
     * @throws IllegalArgumentException if {@code count < 0} or {@code rate} is outside {@code [0, 1)}
     */
    public static float[] dropoutMask(long seed, long step, long stream, int count, double rate) {
        if (count < 0) {
            throw new IllegalArgumentException("mask size must be >= 0, got " + count);
        }
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        long key = key(seed, step, stream);
        float scale = (float) (1.0 / (1.0 - rate));
        // uniform >= rate  <=>  top53 >= ceil(rate * 2^53): integer compare, no double per element.
        long threshold = (long) Math.ceil(rate * 0x1.0p53);
        float[] mask = new float[count];
        long state = key;
        for (int i = 0; i < count; i++) {
            state += GOLDEN_GAMMA;
            mask[i] = (mix64(state) >>> 11) >= threshold ? scale : 0f;
        }
        return mask;
    }
}
