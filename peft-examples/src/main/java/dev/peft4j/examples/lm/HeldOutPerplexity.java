package dev.peft4j.examples.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.lm.CausalLmLoss;
import dev.peft4j.core.train.lm.Perplexity;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Perplexity of a model on held-out token windows ({@link TokenStream#evaluationWindows}), in
 * evaluation mode without gradients: the NLL of every predicted token summed in float64 over
 * tokens and batches ({@link Perplexity}), so the value does not depend on the batching, and two runs on
 * identical logits give identical sums bit for bit (the check that a disabled adapter leaves the
 * base intact).
 */
public final class HeldOutPerplexity {

    private HeldOutPerplexity() {}

    /**
     * @param model the decoder (its manager hosts the batches)
     * @param forward evaluation forward pass: inputs to logits {@code (batch, seq, vocab)}
     * @param windows the held-out windows
     * @param batchSize windows per forward pass
     * @return the summed NLL and counted tokens
     */
    public static Perplexity of(TransformerModel model, BiFunction<NDList, Boolean, NDList> forward, List<long[]> windows,
            int batchSize) {
        Perplexity total = Perplexity.EMPTY;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int start = 0; start < windows.size(); start += batchSize) {
                WindowBatch batch = WindowBatch.of(windows.subList(start, Math.min(windows.size(), start + batchSize)));
                try (NDScope scope = new NDScope(); NDManager manager = model.manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    NDArray logits = forward.apply(batch.inputs(manager), false).head();
                    double sum = CausalLmLoss.perToken(logits, manager.create(batch.labels())).toType(DataType.FLOAT64, false)
                            .sum().getDouble();
                    total = total.plus(new Perplexity(sum, batch.countedTokens()));
                }
            }
        }
        return total;
    }
}
