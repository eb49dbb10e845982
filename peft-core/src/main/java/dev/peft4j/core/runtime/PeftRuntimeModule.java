package dev.peft4j.core.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import dev.peft4j.core.spi.KernelProvider;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * The Guice bindings of the installed PEFT methods:
 * <ul>
 *   <li>{@code Map<String, PeftMethodProvider<?>>} keyed by {@code peft_type}, through a
 *       {@link MapBinder} (other modules may add to it, Guice rejecting duplicate keys);
 *   <li>the {@link MethodRegistry} it was built from;
 *   <li>{@link PeftConfigs} and a Jackson {@link ObjectMapper} (singletons) with every config type
 *       registered as a subtype under its {@code peft_type};
 *   <li>{@code Set<KernelProvider>} holding the installed kernel providers, through a
 *       {@link Multibinder} (empty when there are none);
 *   <li>the module of every method or kernel provider that implements {@link GuiceContributor}.
 * </ul>
 */
public final class PeftRuntimeModule extends AbstractModule {

    private final MethodRegistry registry;
    private final List<KernelProvider> kernels;
    private final PeftConfigs configs;
    private final List<Module> contributed = new ArrayList<>();

    /**
     * Builds the config reader (checking every provider's HF key table) and collects the modules
     * of the providers that implement {@link GuiceContributor}, so that a faulty provider fails
     * here, with its class named, rather than inside Guice.
     *
     * @param registry the installed methods
     * @throws IllegalArgumentException if a {@link GuiceContributor} returns a {@code null} module
     *     or a provider's HF key table is invalid, naming the provider class
     */
    public PeftRuntimeModule(MethodRegistry registry) {
        this(registry, List.of());
    }

    /**
     * As {@link #PeftRuntimeModule(MethodRegistry)}, also binding kernel providers.
     *
     * @param registry the installed methods
     * @param kernels the installed kernel providers
     * @throws IllegalArgumentException as {@link #PeftRuntimeModule(MethodRegistry)}
     */
    public PeftRuntimeModule(MethodRegistry registry, List<? extends KernelProvider> kernels) {
        if (registry == null) {
            throw new IllegalArgumentException("registry is null");
        }
        this.registry = registry;
        this.kernels = List.copyOf(kernels);
        this.configs = new PeftConfigs(registry);
        registry.providers().forEach(this::collectContribution);
        this.kernels.forEach(this::collectContribution);
    }

    private void collectContribution(Object provider) {
        if (provider instanceof GuiceContributor contributor) {
            Module module = contributor.guiceModule();
            if (module == null) {
                throw new IllegalArgumentException("provider " + provider.getClass().getName()
                        + " implements GuiceContributor but guiceModule() returned null");
            }
            contributed.add(module);
        }
    }

    @Override
    protected void configure() {
        bind(MethodRegistry.class).toInstance(registry);
        bind(PeftConfigs.class).toInstance(configs);
        MapBinder<String, PeftMethodProvider<?>> providers = MapBinder.newMapBinder(
                binder(), new TypeLiteral<String>() {}, new TypeLiteral<PeftMethodProvider<?>>() {});
        for (PeftMethodProvider<?> provider : registry.providers()) {
            providers.addBinding(provider.peftType()).toInstance(provider);
        }
        Multibinder<KernelProvider> kernelSet = Multibinder.newSetBinder(binder(), KernelProvider.class);
        kernels.forEach(kernel -> kernelSet.addBinding().toInstance(kernel));
        contributed.forEach(this::install);
    }

    @Provides
    @Singleton
    ObjectMapper objectMapper() {
        return PeftJson.newObjectMapper(registry);
    }
}
