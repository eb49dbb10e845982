package dev.peft4j.core.spi;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The entry point of a PEFT method, discovered with {@link java.util.ServiceLoader} from a line in
 * {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}.
 *
 * <p>A provider declares the method's two names once: {@link #peftType()}, HF PEFT's
 * {@code peft_type} value used as the JSON discriminator, and {@link #alias()}, the lower-case name
 * used on the command line. A provider that also implements
 * {@code dev.peft4j.core.runtime.GuiceContributor} may add Guice bindings.
 *
 * <p>Names are checked when the runtime is built: {@link #peftType()} must match
 * {@code [A-Z][A-Z0-9_]*}, {@link #alias()} must match {@code [a-z][a-z0-9-]*}, and no two
 * installed providers may share either name or a {@link #configType()}.
 *
 * @param <C> the method's configuration record
 */
public interface PeftMethodProvider<C extends PeftConfig> {

    /**
     * HF PEFT's {@code peft_type} for this method ({@code LORA}, {@code PREFIX_TUNING}, ...), or
     * an upper-case name of ours where HF PEFT lacks the method ({@code BOTTLENECK}, {@code FULL}).
     *
     * @return the upper-case type name, unique among installed providers
     */
    String peftType();

    /**
     * The lower-case name used by the CLI ({@code lora}, {@code prefix}, {@code full}).
     *
     * @return the alias, unique among installed providers
     */
    String alias();

    /** @return the configuration record this method reads */
    Class<C> configType();

    /**
     * Binds a configuration to a method instance.
     *
     * @param config a validated configuration
     * @return the method ready to {@link PeftMethod#apply apply}
     */
    PeftMethod create(C config);

    /**
     * Keys that HF PEFT writes into this method's {@code adapter_config.json} but that this
     * method's config does not model, each with HF's default value (the value that asks for no
     * behaviour). Reading an HF config accepts such a key when it holds this value and rejects it
     * by name otherwise (e.g. {@code use_dora: true} before DoRA exists). Extends the runtime's
     * common table (keys HF shares between tuners, such as {@code layer_replication}); a key the
     * config record models is never looked up here.
     *
     * <p>A {@code null} value stands for HF's {@code None} (JSON {@code null}); values are JSON-like
     * ({@link Boolean}, {@link Number}, {@link String}, {@link java.util.List}, {@link Map}).
     * Numbers compare by value, so {@code 0} matches {@code 0.0}.
     *
     * @return key to HF default, empty by default; may hold {@code null} values
     */
    default Map<String, Object> hfIgnorableDefaults() {
        return Map.of();
    }

    /**
     * Keys that HF PEFT writes into this method's configs only as provenance, accepted with any
     * value when reading an HF config (e.g. prompt tuning's {@code tokenizer_name_or_path}).
     * Extends the runtime's common set ({@code task_type}, {@code base_model_name_or_path},
     * {@code revision}, {@code inference_mode}, ...).
     *
     * @return key names, empty by default
     */
    default Set<String> hfInformationalKeys() {
        return Set.of();
    }

    /**
     * A one-line description for listings ({@code peft methods}).
     *
     * @return the description; the type name by default
     */
    default String description() {
        return peftType();
    }

    /**
     * The AdamW learning rate this method wants on the standard recipe (MiniLM, Rotten Tomatoes,
     * batch 32, 1 epoch), used by {@code peft train} when the user gives none. Prefix and prompt
     * tuning usually want far higher rates than LoRA.
     *
     * @return the rate, or empty for the recipe's default (5e-4)
     */
    default java.util.OptionalDouble recommendedLearningRate() {
        return java.util.OptionalDouble.empty();
    }

    /**
     * The method's memory in closed form, read by {@code peft plan} and the memory accountant
     * ({@code dev.peft4j.core.memory}).
     *
     * @return the memory model, or empty when the method offers none (the planner then lists it as
     *     not accounted)
     */
    default Optional<MemoryModel<C>> memoryModel() {
        return Optional.empty();
    }

    /**
     * The method's way of combining several of its adapters into one, HF PEFT's
     * {@code add_weighted_adapter}.
     *
     * @return the combiner, or empty when the method cannot combine adapters (the default)
     */
    default Optional<AdapterCombiner> adapterCombiner() {
        return Optional.empty();
    }
}
