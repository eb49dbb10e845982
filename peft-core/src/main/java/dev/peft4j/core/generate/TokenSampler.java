package dev.peft4j.core.generate;

import dev.peft4j.core.model.CounterRng;

/**
 * Picks the next token of one row: {@link #argMax} for greedy decoding, {@link #sample} for
 * sampling from {@code softmax(scores)} (PyTorch's {@code torch.multinomial(probs, 1)} as HF's
 * {@code generate} calls it), with a reproducible draw: the uniform number for row {@code row} at
 * generation step {@code step} is a pure function of {@code (seed, step, row)}
 * ({@link CounterRng}), so the same seed gives the same tokens on every machine and run, whatever
 * else the JVM does.
 */
public final class TokenSampler {

    private static final long STREAM = CounterRng.streamId("peft4j.generate.sample");

    private TokenSampler() {}

    /**
     * @param scores {@code (vocab)} scores of one row
     * @return the index of the highest score, the lowest index among ties (as {@code torch.argmax})
     * @throws IllegalArgumentException if {@code scores} is empty or holds NaN
     */
    public static int argMax(double[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("cannot pick a token from an empty vocabulary");
        }
        int best = 0;
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score of token " + i + " is NaN");
            }
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The uniform draw of one row at one step.
     *
     * @param seed the generation seed
     * @param step the index of the new token, from 0
     * @param row the row in the batch, from 0
     * @return a number in {@code [0, 1)} with 53 random bits
     */
    public static double uniform(long seed, long step, long row) {
        long bits = CounterRng.bits(CounterRng.key(seed, step, STREAM), row);
        return (bits >>> 11) * 0x1.0p-53;
    }

    /**
     * Inverse-CDF sampling: the first token (in vocabulary order) at which the cumulative
     * probability exceeds {@code u}; tokens of probability 0 are never picked.
     *
     * @param probabilities {@code (vocab)} probabilities summing to 1 (within rounding)
     * @param u a number in {@code [0, 1)}
     * @return the picked token
     */
    public static int pick(double[] probabilities, double u) {
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probabilities.length; i++) {
            if (probabilities[i] > 0) {
                cumulative += probabilities[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("every probability is 0: no token left to pick");
        }
        return last; // u fell in the rounding gap above the last cumulative sum
    }

    /**
     * Draws a token from {@code softmax(scores)}.
     *
     * @param scores {@code (vocab)} warped scores, {@code -inf} for removed tokens
     * @param seed the generation seed
     * @param step the index of the new token, from 0
     * @param row the row in the batch, from 0
     * @return the drawn token
     * @throws IllegalArgumentException as {@link Softmax#of}
     */
    public static int sample(double[] scores, long seed, long step, long row) {
        return pick(Softmax.of(scores), uniform(seed, step, row));
    }
}
