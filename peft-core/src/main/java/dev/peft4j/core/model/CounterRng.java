package dev.peft4j.core.model;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

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
 * sequence started at {@code key}.
 *
 * <p>Not cryptographic. Thread-safe (no state).
 */
public final class CounterRng {

    /** The SplitMix64 increment: the odd integer closest to {@code 2^64 / phi}. */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** Pairs of mask elements per parallel chunk (masks below this are filled on the caller's thread). */
    private static final int PARALLEL_PAIRS = 1 << 17;

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
     * An inverted-dropout multiplier mask: element {@code i} is {@code 1 / (1 - rate)} (kept) or
     * {@code 0} (dropped). Each 64-bit value of the stream decides two elements: element
     * {@code i} is kept when the 32-bit half {@code u} of {@code bits(key(seed, step, stream), i / 2)}
     * (the high half for even {@code i}, the low half for odd {@code i}) satisfies
     * {@code u >= ceil(rate * 2^32)}, so the keep probability is {@code 1 - rate} to within
     * {@code 2^-32}. Large masks are filled in parallel; the result does not depend on it.
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
        long threshold = (long) Math.ceil(rate * 0x1.0p32);
        float[] mask = new float[count];
        int pairs = (count + 1) / 2;
        if (pairs < PARALLEL_PAIRS) {
            fill(mask, key, threshold, scale, 0, pairs);
        } else {
            int chunks = Math.ceilDiv(pairs, PARALLEL_PAIRS);
            IntStream.range(0, chunks).parallel().forEach(chunk ->
                    fill(mask, key, threshold, scale, chunk * PARALLEL_PAIRS, Math.min(pairs, (chunk + 1) * PARALLEL_PAIRS)));
        }
        return mask;
    }

    /** Fills elements {@code 2 * fromPair ..} from the 64-bit values {@code fromPair .. toPair - 1}. */
    private static void fill(float[] mask, long key, long threshold, float scale, int fromPair, int toPair) {
        int last = mask.length - 1;
        for (int pair = fromPair; pair < toPair; pair++) {
            long z = bits(key, pair);
            int i = 2 * pair;
            mask[i] = (z >>> 32) >= threshold ? scale : 0f;
            if (i < last) {
                mask[i + 1] = (z & 0xFFFFFFFFL) >= threshold ? scale : 0f;
            }
        }
    }
}
