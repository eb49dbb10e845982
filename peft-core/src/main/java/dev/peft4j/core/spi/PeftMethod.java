package dev.peft4j.core.spi;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * One PEFT method bound to its configuration: it adapts a model in place by wrapping or
 * inserting blocks (HF PEFT's {@code inject_adapter}).
 *
 * <p>Before {@link #apply} the runtime freezes every base parameter (unless
 * {@link #freezesBaseModel()} is false) and afterwards makes {@link PeftConfig#modulesToSave()}
 * trainable, so a method only creates its own trainable blocks.
 */
public interface PeftMethod {

    /** @return the configuration this method applies */
    PeftConfig config();

    /**
     * Injects this method's blocks into {@code context.model()}.
     *
     * @param context the model (base parameters already frozen), the adapter's name, and the
     *     config's origin
     * @throws IllegalArgumentException if the configuration does not fit the model (e.g. a
     *     {@code target_modules} entry that matches nothing), naming the value and what exists
     */
    void apply(InjectionContext context);

    /**
     * Whether the base model's parameters are frozen before {@link #apply}. Only full fine-tuning
     * (the baseline) answers {@code false}.
     *
     * @return {@code true} by default
     */
    default boolean freezesBaseModel() {
        return true;
    }

    /**
     * Places one tensor of a saved adapter that is not simply one of this method's parameters,
     * HF PEFT's special cases in {@code set_peft_model_state_dict}: prompt learning saves its
     * prompt encoder as the one tensor {@code prompt_embeddings}, which prompt tuning copies into
     * its table and prefix tuning into its prefix (dropping the projection network, as HF builds
     * the encoder in inference mode). Called by the checkpoint loader after {@link #apply}, on the
     * same model, for every tensor whose key names none of the adapter's parameters (the loader
     * places those itself: {@code base_model.model.<path>} onto the parameter at {@code <path>} with
     * the adapter name put back).
     *
     * @param context the context {@link #apply} received
     * @param key the checkpoint key, e.g. {@code prompt_embeddings}
     * @param value the tensor, fp32, owned by the loader and closed after the call: copy, never keep
     * @return whether this method placed the tensor; {@code false} (the default) makes the loader
     *     report a key that maps to no parameter
     * @throws IllegalArgumentException if the tensor is this method's but its shape does not fit the
     *     model, naming the key and both shapes
     */
    default boolean loadCheckpointTensor(InjectionContext context, String key, NDArray value) {
        return false;
    }

    /**
     * Whether a model adapted by this method can hold further adapters of the same method (HF PEFT's
     * {@code add_adapter}): {@link #apply} then also works on a model whose targets are already
     * wrapped by this method's {@link AdapterLayer}s, adding the new adapter to them (HF's
     * {@code update_layer}), and those layers delete an adapter on request. The default {@code false}
     * makes the runtime refuse a second adapter naming the method.
     *
     * @return {@code false} by default
     */
    default boolean supportsMultipleAdapters() {
        return false;
    }

    /**
     * Whether several adapters of this method may compute at once (HF PEFT's
     * {@code set_adapter([...])} for LoRA); the layers then add every active adapter's contribution
     * (see {@link AdapterSwitch#isActive}). The default {@code false}: one active adapter.
     *
     * @return {@code false} by default
     */
    default boolean supportsMultipleActiveAdapters() {
        return false;
    }

    /**
     * Whether this method's layers serve mixed-adapter batches ({@code PeftModel.forward(batch,
     * adapterNames)}, HF PEFT's {@code adapter_names}): they add to each group of rows the term of
     * that rows' adapter, as {@link AdapterSwitch#rowAdapters()} says, and nothing to rows of
     * {@link RowAdapters#BASE}. The default {@code false} makes the runtime refuse such batches naming
     * the method (HF PEFT supports {@code adapter_names} for the LoRA family, not prompt learning).
     *
     * @return {@code false} by default
     */
    default boolean routesMixedBatches() {
        return false;
    }

    /**
     * For a method that {@link #routesMixedBatches()}: why this adapter (this config) still cannot
     * serve rows of a mixed-adapter batch, or empty if it can (LoRA: DoRA adapters are refused, as HF).
     *
     * @return the reason, completing "adapter 'x' cannot serve rows of a mixed-adapter batch: ..."
     */
    default Optional<String> mixedBatchRefusal() {
        return Optional.empty();
    }
}
