package dev.peft4j.examples.compare;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One method's row of {@code peft compare} (an element of {@code results.json}'s {@code methods}).
 * A failed method ({@link #status()} {@code failed}) keeps {@link #method()}, {@link #peftType()},
 * {@link #status()} and {@link #failure()}; the measurements it did not reach are {@code null}.
 *
 * @param method the method's alias ({@code lora}); a method run twice with other options gets a
 *     label such as {@code lora-r16} from the recipe
 * @param peftType the method's {@code peft_type}
 * @param status {@code ok} or {@code failed}
 * @param failure why it failed (NaN loss at update N, the exception's message, the child's exit
 *     status or signal), {@code null} when ok
 * @param accuracy held-out accuracy after the last epoch, in [0, 1]
 * @param macroF1 held-out macro-averaged F1 after the last epoch
 * @param loss held-out mean cross-entropy after the last epoch (nats)
 * @param trainableParams trainable scalars
 * @param allParams all scalars (base, adapter, saved copies)
 * @param trainablePercent {@code 100 * trainableParams / allParams}
 * @param wallSeconds seconds of training and evaluation in the child (model loading excluded)
 * @param medianStepMillis median optimizer-update time, milliseconds
 * @param tokensPerSecond real (non-padding) training tokens per second of wall time
 * @param memory measured peak resident memory over idle beside the accounted memory by kind
 * @param checkpoint the adapter checkpoint on disk against the full model's
 * @param forgetting how far the trained model moved away from the base model on text not in the task
 * @param trainLosses the training loss of every update, in order
 * @param epochs per-epoch train loss and held-out metrics
 * @param predictionsFile the held-out predictions (one JSON line per sentence: {@code index}, {@code label},
 *     {@code predicted}, {@code probabilities}), relative to the output folder
 * @param adapterDir the saved adapter folder, relative to the output folder
 * @param config the effective method config (HF keys)
 */
public record MethodResult(String method, String peftType, String status, String failure, Double accuracy,
        Double macroF1, Double loss, Long trainableParams, Long allParams, Double trainablePercent, Double wallSeconds,
        Double medianStepMillis, Double tokensPerSecond, Memory memory, Checkpoint checkpoint, Forgetting forgetting,
        List<Double> trainLosses, List<Epoch> epochs, String predictionsFile, String adapterDir, JsonNode config) {

    /** {@link #status()} of a method that finished. */
    public static final String OK = "ok";
    /** {@link #status()} of a method that failed; {@link #failure()} says why. */
    public static final String FAILED = "failed";

    /**
     * @param method the alias or label
     * @param peftType the {@code peft_type}
     * @param failure why it failed
     * @return a row holding only the failure
     */
    public static MethodResult failed(String method, String peftType, String failure) {
        return new MethodResult(method, peftType, FAILED, failure, null, null, null, null, null, null, null, null, null,
                null, null, null, List.of(), List.of(), null, null, null);
    }

    /** @return whether the method finished (not a JSON property: {@link #status()} says it) */
    @JsonIgnore
    public boolean isOk() {
        return OK.equals(status);
    }

    /**
     * Memory of one method's child JVM, bytes. Measured: the peak resident set over the idle
     * resident set (model loaded, before the first update). Accounted: the memory accountant's
     * closed forms ({@code core.memory}) for the longest batch the run saw.
     *
     * @param idleRssBytes resident set at idle
     * @param peakRssBytes peak resident set during training
     * @param measuredOverIdleBytes {@code peakRssBytes - idleRssBytes}
     * @param accountedGradientBytes gradients of the trainable parameters
     * @param accountedOptimizerBytes optimizer state
     * @param accountedActivationBytes activations kept for the backward pass
     * @param accountedOverIdleBytes the sum of the three accounted kinds above
     * @param accountedWeightBytes frozen plus trainable weights (resident at idle, so not part of the increase)
     */
    public record Memory(long idleRssBytes, long peakRssBytes, long measuredOverIdleBytes, long accountedGradientBytes,
            long accountedOptimizerBytes, long accountedActivationBytes, long accountedOverIdleBytes,
            long accountedWeightBytes) {}

    /**
     * @param adapterBytes {@code adapter_config.json} plus {@code adapter_model.safetensors} as on disk
     * @param fullModelBytes a full fp32 checkpoint of the same model (every parameter, safetensors), as
     *     full fine-tuning would have to store it
     * @param ratio {@code adapterBytes / fullModelBytes}
     */
    public record Checkpoint(long adapterBytes, long fullModelBytes, double ratio) {}

    /**
     * Forgetting on general English text not in the task.
     *
     * @param corpus the probe sentences' source (e.g. {@code uncertainty-conll2010.csv})
     * @param sentences how many sentences were embedded
     * @param meanCosine mean cosine similarity between the trained and the original model's sentence
     *     embeddings (mean-pooled encoder output), in [-1, 1]; 1 means nothing moved
     * @param minCosine the smallest of those similarities
     * @param disabledEmbeddingsIdentical with the adapter disabled, whether the encoder's embeddings are
     *     bit-identical to the original model's; {@code null} for full fine-tuning (no adapter to disable)
     * @param disabledLogitsIdentical with the adapter disabled, whether the logits through the original
     *     head are bit-identical to those before training; {@code null} for full fine-tuning
     */
    public record Forgetting(String corpus, int sentences, double meanCosine, double minCosine,
            Boolean disabledEmbeddingsIdentical, Boolean disabledLogitsIdentical) {}

    /**
     * @param epoch 1-based epoch number
     * @param trainLoss mean training loss of the epoch
     * @param evalLoss held-out loss
     * @param accuracy held-out accuracy
     * @param macroF1 held-out macro-F1
     */
    public record Epoch(int epoch, double trainLoss, double evalLoss, double accuracy, double macroF1) {}
}
