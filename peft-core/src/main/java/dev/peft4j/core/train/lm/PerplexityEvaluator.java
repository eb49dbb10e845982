package dev.peft4j.core.train.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Autograd;
import java.util.List;
import java.util.function.Function;

/**
 * Held-out perplexity of a causal LM: every block is scored in evaluation mode (dropout off) with
 * gradient recording off, in right-padded batches, and the summed NLL and counted tokens of all
 * batches give {@code exp(total NLL / total tokens)} ({@link Perplexity}); the result does not
 * depend on the batch size (up to fp32 rounding). A block of {@code n} tokens predicts {@code n - 1}.
 * With a {@link PeftModel} inside {@link PeftModel#disableAdapter()} it scores the base model.
 */
public final class PerplexityEvaluator {

    private PerplexityEvaluator() {}

    /**
     * @param model a {@code CAUSAL_LM} model (its active adapters compute)
     * @param blocks token blocks, together predicting one or more tokens
     * @param batchSize blocks per forward pass, &gt; 0
     * @param padTokenId the id written into padding
     * @return the sums and the perplexity
     * @throws IllegalArgumentException as {@link #evaluate(Function, NDManager, List, int, int)}
     */
    public static Perplexity evaluate(PeftModel model, List<int[]> blocks, int batchSize, int padTokenId) {
        return evaluate(inputs -> model.forward(inputs, false), model.baseModel().manager(), blocks, batchSize, padTokenId);
    }

    /**
     * @param model a {@code CAUSAL_LM} model without a PEFT wrapper (e.g. while pre-training)
     * @param blocks token blocks
     * @param batchSize blocks per forward pass, &gt; 0
     * @param padTokenId the id written into padding
     * @return the sums and the perplexity
     * @throws IllegalArgumentException as {@link #evaluate(Function, NDManager, List, int, int)}
     */
    public static Perplexity evaluate(TransformerModel model, List<int[]> blocks, int batchSize, int padTokenId) {
        return evaluate(inputs -> model.forward(inputs, false), model.manager(), blocks, batchSize, padTokenId);
    }

    /**
     * @param forward runs the model in evaluation mode: {@code input_ids, attention_mask} to
     *     {@code logits (batch, seq, vocab)} first in the list
     * @param parent the manager under which each batch's arrays live
     * @param blocks token blocks
     * @param batchSize blocks per forward pass, &gt; 0
     * @param padTokenId the id written into padding
     * @return the sums and the perplexity
     * @throws IllegalArgumentException {@code batch_size must be > 0, got 0}, {@code no token to
     *     score: ...} when the blocks predict nothing, or as {@link LmBatch#rightPadded} and
     *     {@link CausalLmLoss#perToken}
     */
    public static Perplexity evaluate(Function<NDList, NDList> forward, NDManager parent, List<int[]> blocks, int batchSize,
            int padTokenId) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size must be > 0, got " + batchSize);
        }
        Perplexity total = Perplexity.EMPTY;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int start = 0; start < blocks.size(); start += batchSize) {
                LmBatch batch = LmBatch.rightPadded(blocks.subList(start, Math.min(blocks.size(), start + batchSize)), padTokenId);
                long counted = batch.countedTokens();
                if (counted == 0) {
                    continue;
                }
                try (NDScope scope = new NDScope(); NDManager manager = parent.newSubManager()) {
                    scope.suppressNotUsedWarning();
                    NDArray logits = forward.apply(batch.toInputs(manager)).head();
                    double nll = CausalLmLoss.sum(logits, batch.toLabels(manager)).getFloat();
                    total = total.plus(new Perplexity(nll, counted));
                }
            }
        }
        if (total.tokens() == 0) {
            throw new IllegalArgumentException("no token to score: the " + blocks.size()
                    + " held-out blocks have fewer than 2 tokens each");
        }
        return total;
    }
}
