package dev.peft4j.core.spi;

/**
 * The entry point of a PEFT method, discovered with {@link java.util.ServiceLoader} from a line in
 * {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}.
 *
 * <p>A provider declares the method's two names once: {@link #peftType()}, HF PEFT's
 * {@code peft_type} value used as the JSON discriminator, and {@link #alias()}, the lower-case name
 * used on the command line. A provider that also implements
 * {@code dev.peft4j.core.runtime.GuiceContributor} may add Guice bindings.
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
     * A one-line description for listings ({@code peft methods}).
     *
     * @return the description; the type name by default
     */
    default String description() {
        return peftType();
    }
}
