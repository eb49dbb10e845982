package dev.peft4j.core.spi;

/**
 * A method's memory in closed form, the extension point of {@code dev.peft4j.core.memory}: given a
 * model's shape, the method's config and the workload, the trainable parameters the method adds or
 * unfreezes and the activations its blocks keep for the backward pass. Offered through
 * {@link PeftMethodProvider#memoryModel()}.
 *
 * @param <C> the method's configuration record
 */
@FunctionalInterface
public interface MemoryModel<C extends PeftConfig> {

    /**
     * @param config the method's configuration
     * @param shape the model
     * @param workload batch, sequence length, activation element size and retention
     * @return the method's contribution
     * @throws IllegalArgumentException if the config does not fit the model (e.g. a
     *     {@code target_modules} entry that matches no module of the shape), naming the value
     */
    MemoryFootprint footprint(C config, ModelShape shape, TrainingWorkload workload);
}
