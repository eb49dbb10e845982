package dev.peft4j.core.runtime;

import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The installed PEFT methods, looked up by either of their two names: {@code peft_type} (exact,
 * upper-case, HF PEFT's discriminator such as {@code LORA}) or alias (the CLI name such as
 * {@code lora}). Immutable and thread-safe.
 *
 * <p>Built once from a list of providers; in production the list comes from
 * {@link ServiceLoader} ({@link #discover()}), tests hand theirs to {@link #of}. Construction fails
 * fast, naming the provider classes involved, when a provider declares an invalid name or when two
 * providers share a {@code peft_type}, an alias or a config type.
 *
 * <p>Lookup failures list every installed method in both forms, sorted by {@code peft_type}:
 * {@code unknown peft_type 'LORRA'; known: [FULL (full), LORA (lora)]} and
 * {@code unknown method 'lorra'; known: [FULL (full), LORA (lora)]}.
 */
public final class MethodRegistry {

    private final List<PeftMethodProvider<?>> providers;
    private final Map<String, PeftMethodProvider<?>> byPeftType = new HashMap<>();
    private final Map<String, PeftMethodProvider<?>> byAlias = new HashMap<>();
    private final Map<Class<?>, PeftMethodProvider<?>> byConfigType = new HashMap<>();
    private final String known;

    private MethodRegistry(Collection<? extends PeftMethodProvider<?>> candidates) {
        if (candidates == null) {
            throw new IllegalArgumentException("provider list is null");
        }
        for (PeftMethodProvider<?> provider : candidates) {
            ProviderChecks.check(provider);
            register(byPeftType, provider.peftType(), provider, "peft_type");
            register(byAlias, provider.alias(), provider, "alias");
            PeftMethodProvider<?> previous = byConfigType.putIfAbsent(provider.configType(), provider);
            if (previous != null) {
                throw new IllegalArgumentException("config type " + provider.configType().getName()
                        + " is used by both " + describe(previous) + " and " + describe(provider)
                        + "; each method needs its own config type");
            }
        }
        List<PeftMethodProvider<?>> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparing(PeftMethodProvider::peftType));
        this.providers = List.copyOf(sorted);
        this.known = providers.stream()
                .map(p -> p.peftType() + " (" + p.alias() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * A registry of exactly the given providers (tests, embedding applications).
     *
     * @param providers the providers, in any order
     * @return the registry
     * @throws IllegalArgumentException if a provider is null, declares an invalid name or config
     *     type, or shares a {@code peft_type}, alias or config type with another; the message names
     *     the name and both provider classes
     */
    public static MethodRegistry of(Collection<? extends PeftMethodProvider<?>> providers) {
        return new MethodRegistry(providers);
    }

    /**
     * A registry of every provider listed in {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}
     * visible to the thread's context class loader.
     *
     * @return the registry
     * @throws IllegalStateException if a listed provider cannot be loaded or instantiated
     * @throws IllegalArgumentException as {@link #of}
     */
    public static MethodRegistry discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /**
     * As {@link #discover()}, searching {@code loader}.
     *
     * @param loader the class loader to search; {@code null} means the system class loader
     * @return the registry
     * @throws IllegalStateException if a listed provider cannot be loaded or instantiated
     * @throws IllegalArgumentException as {@link #of}
     */
    public static MethodRegistry discover(ClassLoader loader) {
        List<PeftMethodProvider<?>> found = new ArrayList<>();
        try {
            for (PeftMethodProvider<?> provider : ServiceLoader.load(PeftMethodProvider.class, loader)) {
                found.add(provider);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a PEFT method provider: " + e.getMessage(), e);
        }
        return new MethodRegistry(found);
    }

    /** @return every installed provider, sorted by {@code peft_type} */
    public List<PeftMethodProvider<?>> providers() {
        return providers;
    }

    /**
     * The installed methods as shown in error messages: {@code [FULL (full), LORA (lora)]}.
     *
     * @return {@code peft_type (alias)} of every provider, sorted by {@code peft_type}
     */
    public String describeInstalled() {
        return known;
    }

    /**
     * @param peftType an exact, upper-case {@code peft_type}
     * @return the provider, if installed
     */
    public Optional<PeftMethodProvider<?>> findByPeftType(String peftType) {
        return Optional.ofNullable(byPeftType.get(peftType));
    }

    /**
     * @param alias an exact, lower-case alias
     * @return the provider, if installed
     */
    public Optional<PeftMethodProvider<?>> findByAlias(String alias) {
        return Optional.ofNullable(byAlias.get(alias));
    }

    /**
     * @param peftType an exact, upper-case {@code peft_type}
     * @return the provider
     * @throws IllegalArgumentException {@code unknown peft_type 'X'; known: [...]}
     */
    public PeftMethodProvider<?> byPeftType(String peftType) {
        return findByPeftType(peftType).orElseThrow(() -> unknownPeftType(peftType));
    }

    /**
     * @param alias an exact, lower-case alias
     * @return the provider
     * @throws IllegalArgumentException {@code unknown method 'x'; known: [...]}
     */
    public PeftMethodProvider<?> byAlias(String alias) {
        return findByAlias(alias).orElseThrow(() -> unknownAlias(alias));
    }

    /**
     * Looks a method up by either name: an exact {@code peft_type} first, then an exact alias.
     *
     * @param peftTypeOrAlias {@code LORA} or {@code lora}
     * @return the provider
     * @throws IllegalArgumentException when neither matches: the {@code unknown peft_type} message
     *     if the name is upper-case ({@code [A-Z0-9_]+}), the {@code unknown method} message otherwise
     */
    public PeftMethodProvider<?> lookup(String peftTypeOrAlias) {
        PeftMethodProvider<?> provider = byPeftType.get(peftTypeOrAlias);
        if (provider == null) {
            provider = byAlias.get(peftTypeOrAlias);
        }
        if (provider != null) {
            return provider;
        }
        if (peftTypeOrAlias != null && peftTypeOrAlias.matches("[A-Z0-9_]+")) {
            throw unknownPeftType(peftTypeOrAlias);
        }
        throw unknownAlias(peftTypeOrAlias);
    }

    /**
     * The provider whose {@link PeftMethodProvider#configType()} is exactly {@code configType}.
     *
     * @param configType a config record class
     * @return the provider
     * @throws IllegalArgumentException
     *     {@code no installed method reads config type com.example.Foo; known: [...]}
     */
    public PeftMethodProvider<?> byConfigType(Class<? extends PeftConfig> configType) {
        PeftMethodProvider<?> provider = byConfigType.get(configType);
        if (provider == null) {
            throw new IllegalArgumentException("no installed method reads config type "
                    + (configType == null ? "null" : configType.getName()) + "; known: " + known);
        }
        return provider;
    }

    /**
     * @param peftType the name that matched nothing
     * @return {@code unknown peft_type 'X'; known: [...]}
     */
    IllegalArgumentException unknownPeftType(String peftType) {
        return new IllegalArgumentException("unknown peft_type " + quote(peftType) + "; known: " + known);
    }

    private IllegalArgumentException unknownAlias(String alias) {
        return new IllegalArgumentException("unknown method " + quote(alias) + "; known: " + known);
    }

    private static void register(
            Map<String, PeftMethodProvider<?>> index, String name, PeftMethodProvider<?> provider, String kind) {
        PeftMethodProvider<?> previous = index.putIfAbsent(name, provider);
        if (previous != null) {
            throw new IllegalArgumentException("duplicate " + kind + " '" + name + "' declared by "
                    + previous.getClass().getName() + " and " + provider.getClass().getName());
        }
    }

    private static String describe(PeftMethodProvider<?> provider) {
        return provider.getClass().getName() + " (" + provider.peftType() + ")";
    }

    private static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
