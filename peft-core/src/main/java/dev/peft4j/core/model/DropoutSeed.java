package dev.peft4j.core.model;

import ai.djl.util.PairList;

/**
 * What a training forward pass tells every {@link Dropout} so its mask is reproducible: the
 * run's {@code seed} and the {@code step}, the index of this forward pass in the run (count
 * micro-batches, not optimizer steps, so the micro-batches of one accumulated step get different
 * masks). With the dropout's stream id (from its module path) this fixes every mask bit, see
 * {@link CounterRng#dropoutMask}.
 *
 * <p>It travels in the {@code params} argument of DJL's
 * {@link ai.djl.nn.Block#forward(ai.djl.training.ParameterStore, ai.djl.ndarray.NDList, boolean, PairList)}
 * under {@link #PARAM}; blocks must pass {@code params} on to their children (every block in
 * {@code core.model} does).
 *
 * @param seed the run's seed (the recipe's {@code seed})
 * @param step the forward-pass counter, &gt;= 0
 */
public record DropoutSeed(long seed, long step) {

    /** The key of this record in DJL's forward {@code params}. */
    public static final String PARAM = "peft4j.dropout_seed";

    /**
     * The seed a {@link Dropout} uses when a training forward carries no {@link DropoutSeed}; the
     * step is then that dropout's own count of training calls.
     */
    public static final long DEFAULT_SEED = 0L;

    /**
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public DropoutSeed {
        if (step < 0) {
            throw new IllegalArgumentException("dropout step must be >= 0, got " + step);
        }
    }

    /** @return forward {@code params} holding only this seed */
    public PairList<String, Object> toParams() {
        PairList<String, Object> params = new PairList<>();
        params.add(PARAM, this);
        return params;
    }

    /**
     * @param params a forward pass's {@code params}, possibly {@code null}
     * @return the seed they carry, or {@code null} if none
     */
    public static DropoutSeed from(PairList<String, Object> params) {
        if (params == null) {
            return null;
        }
        return params.get(PARAM) instanceof DropoutSeed seed ? seed : null;
    }
}
