package dev.peft4j.core.train;

import dev.peft4j.core.model.CounterRng;
import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training examples: a Fisher-Yates shuffle driven by a
 * {@link SplittableRandom} seeded from {@code (seed, epoch)} only, so any epoch's order can be
 * recomputed (a resumed run needs no generator state).
 */
public final class EpochShuffle {

    private static final long STREAM = CounterRng.streamId("peft4j.train.shuffle");

    private EpochShuffle() {}

    /**
     * @param seed the recipe's seed
     * @param epoch the epoch index, from 0
     * @param size the number of examples
     * @return a permutation of {@code 0 .. size-1}
     */
    public static int[] order(long seed, int epoch, int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(CounterRng.key(seed, epoch, STREAM));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
