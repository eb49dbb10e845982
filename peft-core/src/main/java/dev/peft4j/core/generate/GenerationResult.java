package dev.peft4j.core.generate;

import java.util.List;

/**
 * What {@link Generator#generate} produced.
 *
 * @param sequences one per prompt, in prompt order
 * @param forwardPasses model calls made: 1 for the prompts plus 1 per further new token (the
 *     longest row's length)
 * @param nanos wall time of the generation, in nanoseconds
 */
public record GenerationResult(List<GeneratedSequence> sequences, int forwardPasses, long nanos) {

    /** Copies the list. */
    public GenerationResult {
        sequences = List.copyOf(sequences);
    }

    /**
     * @param row the prompt's index
     * @return the row's new tokens
     */
    public int[] tokens(int row) {
        return sequences.get(row).tokens();
    }

    /** @return new tokens of every row together */
    public long generatedTokens() {
        return sequences.stream().mapToLong(GeneratedSequence::length).sum();
    }

    /** @return generated tokens per second of wall time; 0 if nothing was timed */
    public double tokensPerSecond() {
        return nanos == 0 ? 0 : generatedTokens() * 1e9 / nanos;
    }
}
