package dev.peft4j.core.spi;

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
}
