package dev.peft4j.core.train.lm;

/**
 * Perplexity of a corpus: {@code exp(total NLL / counted tokens)}, the exponential of the
 * token-weighted mean negative log-likelihood (HF's {@code exp(eval_loss)} when every batch counts
 * the same number of tokens; here exact for any batching). Batches combine with {@link #plus} by
 * adding their sums, never by averaging batch perplexities.
 *
 * @param nllSum summed negative log-likelihood over the counted tokens (nats), &gt;= 0
 * @param tokens counted (predicted) tokens, &gt;= 0
 */
public record Perplexity(double nllSum, long tokens) {

    /** No tokens yet: the start of an accumulation. */
    public static final Perplexity EMPTY = new Perplexity(0, 0);

    /**
     * @throws IllegalArgumentException if {@code tokens < 0} or {@code nllSum} is negative or NaN
     */
    public Perplexity {
        if (tokens < 0) {
            throw new IllegalArgumentException("counted tokens must be >= 0, got " + tokens);
        }
        if (!(nllSum >= 0)) {
            throw new IllegalArgumentException("summed NLL must be >= 0, got " + nllSum);
        }
    }

    /**
     * @param other another batch's sums
     * @return the sums of both
     */
    public Perplexity plus(Perplexity other) {
        return new Perplexity(nllSum + other.nllSum, tokens + other.tokens);
    }

    /**
     * @return the mean NLL per counted token (nats; the LM loss HF reports as {@code eval_loss})
     * @throws IllegalStateException if no token was counted
     */
    public double meanNll() {
        if (tokens == 0) {
            throw new IllegalStateException("perplexity of zero counted tokens is undefined");
        }
        return nllSum / tokens;
    }

    /**
     * @return {@code exp(meanNll())}, &gt;= 1
     * @throws IllegalStateException if no token was counted
     */
    public double value() {
        return Math.exp(meanNll());
    }

    /** @return bits per token, {@code meanNll() / ln 2} */
    public double bitsPerToken() {
        return meanNll() / Math.log(2);
    }
}
