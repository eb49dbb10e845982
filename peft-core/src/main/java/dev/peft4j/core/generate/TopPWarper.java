package dev.peft4j.core.generate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Nucleus sampling's filter (Holtzman et al. 2020, "The Curious Case of Neural Text
 * Degeneration"), HF's {@code TopPLogitsWarper}: keeps the smallest set of highest-probability
 * tokens whose probability mass reaches {@code top_p} and removes the rest ({@code -inf}). In HF's
 * terms a token is removed when the ascending cumulative probability up to and including it is
 * {@code <= 1 - top_p}; equivalently, walking the tokens from the most probable, a token is kept
 * while the mass of the tokens before it is {@code < top_p}. The most probable token always stays
 * ({@code min_tokens_to_keep = 1}). Probabilities are {@code softmax(scores)} in double precision;
 * equal scores are ordered by token id.
 *
 * @param topP the probability mass to keep, in {@code [0, 1]}; 1 keeps every token, 0 only the most probable
 */
public record TopPWarper(double topP) implements LogitsWarper {

    /**
     * @throws IllegalArgumentException {@code top_p must be in [0, 1], got 1.5}
     */
    public TopPWarper {
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in [0, 1], got " + topP);
        }
    }

    @Override
    public void warp(double[] scores) {
        if (topP == 1) {
            return;
        }
        double[] probabilities = Softmax.of(scores);
        Integer[] descending = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(descending, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        double massBefore = 0;
        for (int rank = 0; rank < descending.length; rank++) {
            int token = descending[rank];
            if (rank > 0 && massBefore >= topP) {
                scores[token] = Double.NEGATIVE_INFINITY;
            }
            massBefore += probabilities[token];
        }
    }
}
