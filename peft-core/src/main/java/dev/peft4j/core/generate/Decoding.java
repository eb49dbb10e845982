package dev.peft4j.core.generate;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/** One decoding strategy of {@link Generator}: feed tokens, read the next-token scores. */
interface Decoding extends AutoCloseable {

    /** @return the next-token logits of every row, {@code (batch, vocab)} */
    float[][] nextScores();

    /** @param tokens the token each row appends, {@code (batch)} */
    void append(long[] tokens);

    @Override
    void close();

    /** Reads the last position's logits of every row as {@code (batch, vocab)} host rows. */
    static float[][] lastPositionScores(NDArray logits) {
        long batch = logits.getShape().get(0);
        long vocab = logits.getShape().get(2);
        float[] flat = logits.get(":, -1, :").toFloatArray();
        float[][] out = new float[(int) batch][];
        for (int row = 0; row < batch; row++) {
            out[row] = Arrays.copyOfRange(flat, (int) (row * vocab), (int) ((row + 1) * vocab));
        }
        return out;
    }
}
