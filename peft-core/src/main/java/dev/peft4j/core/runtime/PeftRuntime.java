package dev.peft4j.core.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import dev.peft4j.core.io.CheckpointPaths;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.KernelProvider;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.spi.TextEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The entry point to the installed PEFT methods: discovery, lookup by either name, config JSON and
 * method creation, over a Guice {@link Injector} built by {@link PeftRuntimeModule}. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * PeftRuntime runtime = PeftRuntime.discover();
 * PeftConfig config = runtime.readUserConfig(Path.of("lora.json"));
 * PeftMethod method = runtime.createMethod(config);
 * }</pre>
 */
public final class PeftRuntime {

    private final MethodRegistry registry;
    private final Injector injector;
    private final PeftConfigs configs;

    private PeftRuntime(MethodRegistry registry, List<? extends KernelProvider> kernels,
            Collection<? extends Module> extraModules) {
        this.registry = registry;
        List<Module> modules = new ArrayList<>();
        modules.add(new PeftRuntimeModule(registry, kernels));
        modules.addAll(extraModules);
        this.injector = Guice.createInjector(modules);
        this.configs = injector.getInstance(PeftConfigs.class);
    }

    /**
     * The methods listed in {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider} on the
     * thread's context class path (peft-core itself contributes {@code FULL}), and the kernels listed
     * in {@code META-INF/services/dev.peft4j.core.spi.KernelProvider} (e.g. peft-cuda's).
     *
     * @return the runtime
     * @throws IllegalStateException if a listed provider cannot be loaded
     * @throws IllegalArgumentException if providers declare invalid or clashing names (see
     *     {@link MethodRegistry#of})
     * @throws CreationException if a contributed Guice module is invalid; Guice's message names
     *     the source location of each error
     */
    public static PeftRuntime discover() {
        List<KernelProvider> kernels = new ArrayList<>();
        ServiceLoader.load(KernelProvider.class).forEach(kernels::add);
        return new PeftRuntime(MethodRegistry.discover(), kernels, List.of());
    }

    /**
     * Exactly the given methods, no discovery (tests, embedding applications).
     *
     * @param providers the providers, in any order
     * @return the runtime
     * @throws IllegalArgumentException as {@link MethodRegistry#of}, or if a {@link GuiceContributor}
     *     returns no module
     * @throws CreationException if a contributed Guice module is invalid
     */
    public static PeftRuntime of(List<? extends PeftMethodProvider<?>> providers) {
        return of(providers, List.of());
    }

    /**
     * As {@link #of(List)}, with further Guice modules installed beside the runtime's.
     *
     * @param providers the providers, in any order
     * @param extraModules more bindings (e.g. an application's own)
     * @return the runtime
     * @throws IllegalArgumentException as {@link MethodRegistry#of}, or if a {@link GuiceContributor}
     *     returns no module
     * @throws CreationException if a module is invalid
     */
    public static PeftRuntime of(List<? extends PeftMethodProvider<?>> providers, List<? extends Module> extraModules) {
        return of(providers, List.of(), extraModules);
    }

    /**
     * As {@link #of(List, List)}, with the given kernel providers bound into
     * {@code Set<KernelProvider>} (and their {@link GuiceContributor} modules installed).
     *
     * @param providers the method providers, in any order
     * @param kernels the kernel providers, in any order
     * @param extraModules more bindings
     * @return the runtime
     * @throws IllegalArgumentException as {@link #of(List, List)}, or if a kernel's
     *     {@link GuiceContributor} returns no module
     * @throws CreationException if a module is invalid
     */
    public static PeftRuntime of(List<? extends PeftMethodProvider<?>> providers, List<? extends KernelProvider> kernels,
            List<? extends Module> extraModules) {
        return new PeftRuntime(MethodRegistry.of(providers), List.copyOf(kernels), List.copyOf(extraModules));
    }

    /**
     * The installed kernel providers, available or not (ask {@link KernelProvider#isAvailable()}).
     *
     * @return the providers sorted by {@link KernelProvider#name()}
     */
    public List<KernelProvider> kernelProviders() {
        Set<KernelProvider> bound = injector.getInstance(Key.get(new TypeLiteral<Set<KernelProvider>>() {}));
        return bound.stream().sorted(Comparator.comparing(KernelProvider::name)).toList();
    }

    /**
     * @param peftTypeOrAlias an exact {@code peft_type} ({@code LORA}) or alias ({@code lora})
     * @return the provider
     * @throws IllegalArgumentException {@code unknown peft_type 'LORRA'; known: [...]} for an
     *     upper-case name, {@code unknown method 'lorra'; known: [...]} otherwise
     */
    public PeftMethodProvider<?> provider(String peftTypeOrAlias) {
        return registry.lookup(peftTypeOrAlias);
    }

    /** @return every installed provider, sorted by {@code peft_type} */
    public List<PeftMethodProvider<?>> installed() {
        return registry.providers();
    }

    /** @return the registry behind this runtime */
    public MethodRegistry registry() {
        return registry;
    }

    /**
     * The injector's Jackson mapper, knowing every installed config type. Shared: reconfigure a
     * {@link ObjectMapper#copy() copy}. The config readers use their own mapper, so changes here
     * never loosen them.
     *
     * @return the mapper
     */
    public ObjectMapper objectMapper() {
        return injector.getInstance(ObjectMapper.class);
    }

    /** @return the config reader and writer */
    public PeftConfigs configs() {
        return configs;
    }

    /**
     * @param json a user-written config
     * @return the config
     * @throws InvalidConfigException see {@link PeftConfigs#readUserConfig(String)}
     */
    public PeftConfig readUserConfig(String json) {
        return configs.readUserConfig(json);
    }

    /**
     * @param file a user-written config file
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws InvalidConfigException see {@link PeftConfigs#readUserConfig(Path)}
     */
    public PeftConfig readUserConfig(Path file) throws IOException {
        return configs.readUserConfig(file);
    }

    /**
     * @param json an {@code adapter_config.json} written by HF PEFT
     * @return the config
     * @throws InvalidConfigException see {@link PeftConfigs#readHfConfig(String)}
     */
    public PeftConfig readHfConfig(String json) {
        return configs.readHfConfig(json);
    }

    /**
     * @param file an {@code adapter_config.json} written by HF PEFT
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws InvalidConfigException see {@link PeftConfigs#readHfConfig(Path)}
     */
    public PeftConfig readHfConfig(Path file) throws IOException {
        return configs.readHfConfig(file);
    }

    /**
     * @param config a config of an installed method
     * @return pretty JSON with {@code peft_type} and snake_case keys
     * @throws IllegalArgumentException if no installed method reads the config's type
     */
    public String writeConfig(PeftConfig config) {
        return configs.writeConfig(config);
    }

    /**
     * The JSON keys of a method's config (for help texts and generated CLI flags).
     *
     * @param peftTypeOrAlias {@code LORA} or {@code lora}
     * @return the snake_case keys, sorted
     * @throws IllegalArgumentException as {@link #provider}
     */
    public List<String> configKeys(String peftTypeOrAlias) {
        return configs.configKeys(provider(peftTypeOrAlias).configType());
    }

    /**
     * Binds a config to its method through the provider that reads the config's type.
     *
     * @param config a validated config of an installed method
     * @return the method, ready to apply
     * @throws IllegalArgumentException {@code no installed method reads config type X; known: [...]}
     * @throws IllegalStateException if the provider returns {@code null}
     */
    public PeftMethod createMethod(PeftConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is null");
        }
        PeftMethodProvider<?> provider = registry.byConfigType(config.getClass());
        PeftMethod method = create(provider, config);
        if (method == null) {
            throw new IllegalStateException("provider " + provider.getClass().getName() + " returned no method for " + config);
        }
        return method;
    }

    /**
     * Adapts a model with a config, HF PEFT's {@code get_peft_model(model, config)}.
     *
     * @param model the base model; owned by the returned {@link PeftModel} from now on
     * @param config a config of an installed method
     * @param origin {@link ConfigOrigin#USER} for configs a user wrote (every
     *     {@code target_modules} / {@code modules_to_save} entry must match), otherwise
     *     {@link ConfigOrigin#CHECKPOINT}
     * @return the adapted model
     * @throws IllegalArgumentException if no installed method reads the config, or it does not
     *     fit the model
     */
    public PeftModel getPeftModel(TransformerModel model, PeftConfig config, ConfigOrigin origin) {
        return getPeftModel(model, config, origin, null);
    }

    /**
     * As {@link #getPeftModel(TransformerModel, PeftConfig, ConfigOrigin)}, handing the method the
     * base model's tokenizer, which initialisations from text need (prompt tuning's
     * {@code prompt_tuning_init: TEXT}).
     *
     * @param model the base model; owned by the returned {@link PeftModel} from now on
     * @param config a config of an installed method
     * @param origin how strictly module entries are checked
     * @param textEncoder the base model's tokenizer (a {@link dev.peft4j.core.model.SentenceTokenizer}), or {@code null}
     * @return the adapted model
     * @throws IllegalArgumentException if no installed method reads the config, or it does not
     *     fit the model
     */
    public PeftModel getPeftModel(TransformerModel model, PeftConfig config, ConfigOrigin origin, TextEncoder textEncoder) {
        return getPeftModel(model, config, origin, textEncoder, InjectionContext.DEFAULT_ADAPTER);
    }

    /**
     * As {@link #getPeftModel(TransformerModel, PeftConfig, ConfigOrigin, TextEncoder)} under an
     * adapter name of the caller's (HF's {@code get_peft_model(model, config, adapter_name)}): module
     * paths read {@code lora_A.<name>}, and {@link PeftModel#savePretrained} writes the adapter into
     * the sub-folder {@code <dir>/<name>/}.
     *
     * @param model the base model; owned by the returned {@link PeftModel} from now on
     * @param config a config of an installed method
     * @param origin how strictly module entries are checked
     * @param textEncoder the base model's tokenizer, or {@code null}
     * @param adapterName letters, digits, {@code _} and {@code -} (see {@link CheckpointPaths#requireAdapterName})
     * @return the adapted model
     * @throws IllegalArgumentException if no installed method reads the config, it does not fit the
     *     model, or the adapter name is not allowed
     */
    public PeftModel getPeftModel(TransformerModel model, PeftConfig config, ConfigOrigin origin, TextEncoder textEncoder,
            String adapterName) {
        CheckpointPaths.requireAdapterName(adapterName);
        return PeftModel.adapt(model, createMethod(config), new InjectionContext(model, adapterName, origin, textEncoder), this);
    }

    /**
     * HF PEFT's {@code PeftModel.from_pretrained(model, dir, is_trainable=False)}: loads the adapter
     * folder {@code dir} ({@code adapter_config.json} and {@code adapter_model.safetensors}, written
     * by peft4j or by HF PEFT) onto {@code base} as adapter {@code default}, for inference: nothing
     * is trainable. An interrupted save is finished or undone first ({@link dev.peft4j.core.io.AtomicDirectory#recover}).
     *
     * @param base the base model; owned by the returned {@link PeftModel}, and closed if loading fails
     * @param dir the adapter folder
     * @return the adapted model
     * @throws IOException if a file is missing ({@link java.io.FileNotFoundException}) or damaged, or the
     *     checkpoint does not fit the model ({@link dev.peft4j.core.io.ModelFormatException}: the key and
     *     both shapes, blaming {@code adapter_config.json} when a size the config sets such as {@code r}
     *     differs and the base model otherwise; a key that maps to no parameter, with the file's and
     *     the adapter's keys; a missing tensor)
     * @throws InvalidConfigException if the config is not JSON ({@code adapter_config.json in DIR is not
     *     valid JSON: REASON at line L, column C}), is invalid, names a {@code peft_type} no installed
     *     method provides (listing the installed ones), or has a {@code task_type} other than the
     *     model's {@link dev.peft4j.core.model.TaskType} (a missing one is accepted, as in minimal HF
     *     configs), prefixed with the file; an {@link IllegalArgumentException} prefixed with the file
     *     if its {@code target_modules} / {@code layers_to_transform} do not fit the model
     */
    public PeftModel fromPretrained(TransformerModel base, Path dir) throws IOException {
        return fromPretrained(base, dir, InjectionContext.DEFAULT_ADAPTER, false, null);
    }

    /**
     * As {@link #fromPretrained(TransformerModel, Path)}, for inference or for training.
     *
     * @param base the base model; owned by the returned {@link PeftModel}, and closed if loading fails
     * @param dir the adapter folder
     * @param isTrainable HF's {@code is_trainable}: {@code true} leaves the adapter's parameters
     *     trainable (the optimizer sees them, as after {@link #getPeftModel}); {@code false} freezes all
     * @return the adapted model
     * @throws IOException as {@link #fromPretrained(TransformerModel, Path)}
     * @throws InvalidConfigException as {@link #fromPretrained(TransformerModel, Path)}
     */
    public PeftModel fromPretrained(TransformerModel base, Path dir, boolean isTrainable) throws IOException {
        return fromPretrained(base, dir, InjectionContext.DEFAULT_ADAPTER, isTrainable, null);
    }

    /**
     * As {@link #fromPretrained(TransformerModel, Path, boolean)} for a named adapter: reads
     * {@code dir/<adapterName>/} (where {@link PeftModel#savePretrained} writes it) unless the name
     * is {@code default}, which reads {@code dir}; with the base model's tokenizer for methods whose
     * initialisation needs it (prompt tuning's {@code TEXT}).
     *
     * @param base the base model; owned by the returned {@link PeftModel}, and closed if loading fails
     * @param dir the output folder
     * @param adapterName letters, digits, {@code _} and {@code -}
     * @param isTrainable whether the adapter's parameters stay trainable
     * @param textEncoder the base model's tokenizer, or {@code null}
     * @return the adapted model
     * @throws IOException as {@link #fromPretrained(TransformerModel, Path)}
     * @throws InvalidConfigException as {@link #fromPretrained(TransformerModel, Path)}
     * @throws IllegalArgumentException if the adapter name is not allowed
     */
    public PeftModel fromPretrained(TransformerModel base, Path dir, String adapterName, boolean isTrainable,
            TextEncoder textEncoder) throws IOException {
        CheckpointPaths.requireAdapterName(adapterName);
        Path folder = InjectionContext.DEFAULT_ADAPTER.equals(adapterName) ? dir
                : CheckpointPaths.resolveInside(dir, adapterName, "adapter folder");
        return AdapterLoader.load(this, base, folder, adapterName, isTrainable, textEncoder);
    }

    /** @return the Guice injector holding the runtime's and every contributed binding */
    public Injector injector() {
        return injector;
    }

    private static <C extends PeftConfig> PeftMethod create(PeftMethodProvider<C> provider, PeftConfig config) {
        return provider.create(provider.configType().cast(config));
    }
}
