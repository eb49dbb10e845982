package dev.peft4j.examples.lm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One method's row of {@code peft compare-lm} (an element of {@code results.json}'s {@code methods}).
 * Perplexities are per byte-level token ({@link ByteTokenizer}), {@code exp} of the mean NLL over
 * every predicted held-out token (HF's shifted loss). A failed method keeps {@link #method()},
 * {@link #peftType()}, {@link #status()} and {@link #failure()}; the rest is {@code null}.
 *
 * @param method the method's alias
 * @param peftType its {@code peft_type}
 * @param status {@code ok} or {@code failed}
 * @param failure why it failed, {@code null} when ok
 * @param fortunesPerplexityBefore held-out fortunes perplexity of the base model (the new domain, before)
 * @param fortunesPerplexity held-out fortunes perplexity after adaptation, adapter enabled
 * @param mobyDickPerplexityBase held-out Moby Dick perplexity of the base model
 * @param mobyDickPerplexity held-out Moby Dick perplexity after adaptation, adapter enabled (forgetting)
 * @param mobyDickPerplexityDisabled the same with the adapter disabled; {@code null} for {@code full}
 * @param baseIntact whether, with the adapter disabled, the Moby Dick NLL sum equals the base
 *     model's bit for bit (every logit identical); {@code null} for {@code full}
 * @param samplesBefore the base model's continuations of the prompt
 * @param samplesAfter the adapted model's continuations of the prompt
 * @param trainableParams trainable scalars
 * @param allParams all scalars (a tied head counted once)
 * @param trainablePercent {@code 100 * trainableParams / allParams}
 * @param steps optimizer updates taken
 * @param wallSeconds seconds of training (evaluation excluded)
 * @param medianStepMillis median update time, milliseconds
 * @param tokensPerSecond training tokens per second of training wall time
 * @param memory peak resident memory over idle (idle: model loaded and adapted, before the first update)
 * @param adapterBytes {@code adapter_config.json} plus {@code adapter_model.safetensors} on disk
 * @param fullModelBytes the base's {@code model.safetensors} (fp32), what full fine-tuning stores
 * @param trainLosses the training loss of every update
 * @param config the effective method config (HF keys)
 */
public record LmMethodResult(String method, String peftType, String status, String failure, Double fortunesPerplexityBefore,
        Double fortunesPerplexity, Double mobyDickPerplexityBase, Double mobyDickPerplexity, Double mobyDickPerplexityDisabled,
        Boolean baseIntact, Samples samplesBefore, Samples samplesAfter, Long trainableParams, Long allParams,
        Double trainablePercent, Integer steps, Double wallSeconds, Double medianStepMillis, Double tokensPerSecond,
        Memory memory, Long adapterBytes, Long fullModelBytes, List<Double> trainLosses, JsonNode config) {

    /** {@link #status()} of a method that finished. */
    public static final String OK = "ok";
    /** {@link #status()} of a method that failed. */
    public static final String FAILED = "failed";

    /** Copies the losses. */
    public LmMethodResult {
        trainLosses = trainLosses == null ? List.of() : List.copyOf(trainLosses);
    }

    /**
     * @param method the alias
     * @param peftType the {@code peft_type}
     * @param failure why it failed
     * @return a row holding only the failure
     */
    public static LmMethodResult failed(String method, String peftType, String failure) {
        return new LmMethodResult(method, peftType, FAILED, failure, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, List.of(), null);
    }

    /** @return whether the method finished */
    @JsonIgnore
    public boolean isOk() {
        return OK.equals(status);
    }

    /**
     * Continuations of the fixed prompt, decoded from bytes (a cut UTF-8 character shows as U+FFFD).
     *
     * @param prompt the prompt
     * @param greedy the greedy continuation
     * @param sampled the sampled continuation (temperature, top-k, top-p and seed of the recipe)
     */
    public record Samples(String prompt, String greedy, String sampled) {}

    /**
     * Resident memory of the method's child JVM, bytes.
     *
     * @param idleRssBytes at idle (model loaded and adapted, before the first update)
     * @param peakRssBytes peak during training
     * @param measuredOverIdleBytes {@code peak - idle}
     */
    public record Memory(long idleRssBytes, long peakRssBytes, long measuredOverIdleBytes) {}
}
