package dev.peft4j.core.runtime;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import dev.peft4j.core.io.CheckpointPaths;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.MergeableLayer;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import dev.peft4j.core.target.TargetResolver;
import dev.peft4j.core.model.Parameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapters one {@link PeftModel} holds on its one base model, HF PEFT's {@code peft_config}
 * dictionary with {@code add_adapter}, {@code set_adapter} and {@code delete_adapter}.
 *
 * <p>Rules, as HF PEFT: every adapter has the same {@code peft_type}; a new adapter is not active;
 * only the active adapters' parameters (and their {@code modules_to_save} copies) are trainable,
 * so an optimizer built after {@link #setActive} trains the newly active adapter and leaves every
 * other bit-identical; deleting the active adapter activates the first remaining one (with a log
 * line); at most one adapter may carry trained base parameters (LoRA's {@code bias}: HF's "supports
 * only 1 adapter with bias"). The active names live in the model's
 * {@link dev.peft4j.core.model.AdapterToggle}, the one place the layers ask.
 */
final class AdapterSet {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterSet.class);

    /**
     * One adapter.
     *
     * @param method the method bound to the adapter's config
     * @param context what the method was applied with (the adapter's name)
     * @param modulesToSave the module paths wrapped for it
     * @param index its parameters and checkpoint keys
     * @param trainable whether its parameters are trained while it is active (HF's {@code is_trainable}
     *     / {@code inference_mode: false})
     */
    record Adapter(PeftMethod method, InjectionContext context, List<String> modulesToSave, AdapterParameterIndex index,
            boolean trainable) {

        String name() {
            return context.adapterName();
        }

        PeftConfig config() {
            return method.config();
        }
    }

    private final TransformerModel model;
    private final PeftRuntime runtime;
    private final Map<String, Adapter> adapters = new LinkedHashMap<>();

    private AdapterSet(TransformerModel model, PeftRuntime runtime) {
        this.model = model;
        this.runtime = runtime;
    }

    /**
     * Injects the first adapter and makes it active.
     *
     * @param model the base model
     * @param method the method bound to its config
     * @param context the adapter's name, origin and tokenizer
     * @param runtime the runtime, {@code null} when the model is adapted without one
     * @param trainable whether the adapter trains (its parameters are left as the method set them;
     *     the caller freezes an inference adapter)
     * @return the set
     * @throws IllegalArgumentException if the name is not allowed or the config does not fit the model
     */
    static AdapterSet first(TransformerModel model, PeftMethod method, InjectionContext context, PeftRuntime runtime,
            boolean trainable) {
        CheckpointPaths.requireAdapterName(context.adapterName());
        AdapterSet set = new AdapterSet(model, runtime);
        set.adapters.put(context.adapterName(), set.inject(method, context, trainable, 0));
        model.adapterToggle().setActiveAdapters(List.of(context.adapterName()));
        return set;
    }

    /**
     * Injects another adapter (HF's {@code add_adapter}); it is not active and its parameters are frozen
     * until {@link #setActive} names it.
     *
     * @param method the method bound to the new adapter's config
     * @param context the adapter's name, origin and tokenizer
     * @param trainable whether it trains once active
     * @param numLabels for a {@code SEQ_CLS} model, the classes of the adapter's own classifier (a
     *     fresh head, weights N(0, 0.02) and bias 0 as the model's, when it differs from the model's);
     *     0 for a copy of the model's head
     * @return the adapter
     * @throws IllegalArgumentException if the name is not allowed or taken, the peft_type differs from
     *     the model's adapters', the method holds one adapter per model, the config does not fit the
     *     model, or two adapters would train base parameters
     */
    Adapter add(PeftMethod method, InjectionContext context, boolean trainable, int numLabels) {
        String name = CheckpointPaths.requireAdapterName(context.adapterName());
        if (adapters.containsKey(name)) {
            throw new IllegalArgumentException("adapter name '" + name + "' is already used; adapters: " + names());
        }
        if (!adapters.isEmpty()) {
            Adapter existing = adapters.values().iterator().next();
            String have = peftType(existing.config());
            String want = peftType(method.config());
            if (!existing.config().getClass().equals(method.config().getClass())) {
                throw new IllegalArgumentException("adapter '" + name + "' has peft_type " + want + ", but this model's adapters "
                        + names() + " have peft_type " + have + "; one model holds adapters of one peft_type (as HF PEFT)");
            }
            if (!existing.method().supportsMultipleAdapters() || !method.supportsMultipleAdapters()) {
                throw new IllegalArgumentException("peft_type " + have + " holds one adapter per model; cannot add adapter '" + name
                        + "' beside " + names() + " (delete it first, or adapt another copy of the base model)");
            }
            if (!existing.method().freezesBaseModel()) {
                throw new IllegalArgumentException("peft_type " + have + " trains the base weights; cannot add adapter '" + name + "'");
            }
        }
        Adapter adapter = inject(method, context, trainable, numLabels);
        adapters.put(name, adapter);
        if (adapters.size() > 1 && !adapter.index().trainedBaseParameters().isEmpty()) {
            adapter.index().trainedBaseParameters().forEach(parameter -> parameter.freeze(true));
            delete(name);
            applyTrainability();
            throw new IllegalArgumentException("adapter '" + name + "' trains base parameters (e.g. lora.bias 'all' or 'lora_only'), "
                    + "which every adapter shares; with several adapters every adapter must leave the base frozen (bias 'none'), as HF PEFT");
        }
        for (Adapter other : adapters.values()) {
            if (other != adapter && !other.index().trainedBaseParameters().isEmpty()) {
                delete(name);
                applyTrainability();
                throw new IllegalArgumentException("adapter '" + other.name() + "' trains base parameters (e.g. lora.bias 'all' or "
                        + "'lora_only'), which every adapter shares; cannot add adapter '" + name + "' beside it (HF PEFT: one adapter with bias)");
            }
        }
        applyTrainability();
        return adapter;
    }

    private Adapter inject(PeftMethod method, InjectionContext context, boolean trainable, int numLabels) {
        String name = context.adapterName();
        var base = AdapterParameterIndex.BaseSnapshot.of(model);
        if (method.freezesBaseModel()) {
            model.root().freezeParameters(true);
        }
        method.apply(context);
        List<String> saved = new ArrayList<>();
        if (method.freezesBaseModel()) {
            for (String path : TargetResolver.resolveModulesToSave(model, method.config().modulesToSave(), context.origin())) {
                wrapForSaving(path, name, path.equals(PeftModel.CLASSIFIER) ? numLabels : 0);
                saved.add(path);
            }
            if (model.taskType() == TaskType.SEQ_CLS && !saved.contains(PeftModel.CLASSIFIER)) {
                wrapForSaving(PeftModel.CLASSIFIER, name, numLabels);
                saved.add(PeftModel.CLASSIFIER);
            }
        }
        return new Adapter(method, context, List.copyOf(saved), AdapterParameterIndex.after(model, name, base), trainable);
    }

    private void wrapForSaving(String path, String adapterName, int numLabels) {
        if (model.module(path) instanceof ModulesToSaveWrapper wrapper) {
            if (numLabels > 0 && wrapper.original() instanceof Linear head && head.outFeatures() != numLabels) {
                wrapper.addAdapter(adapterName, freshHead(head.inFeatures(), numLabels));
            } else {
                wrapper.addAdapter(adapterName);
            }
        } else {
            model.replaceModule(path, new ModulesToSaveWrapper(model.module(path), adapterName, model.adapterSwitch()));
        }
    }

    /** A classifier of its own, initialised as the model's ({@code TransformerModel.bert}): N(0, 0.02), bias 0. */
    private Linear freshHead(int hidden, int numLabels) {
        Linear head = new Linear(hidden, numLabels, true);
        head.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        head.initialize(model.manager(), DataType.FLOAT32);
        return head;
    }

    /**
     * Makes {@code names} the active adapters (HF's {@code set_adapter}): only they compute, and only
     * their parameters are trainable (those of adapters loaded for inference stay frozen).
     *
     * @param names one adapter, or several where the method allows it (LoRA)
     * @throws IllegalArgumentException if the list is empty, repeats or names an unknown adapter
     *     (listing the adapters), holds several adapters of a method that allows one active adapter,
     *     or two adapters that both own a copy of a {@code modules_to_save} module (HF PEFT refuses
     *     that too)
     */
    void setActive(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("active adapters must name at least one adapter; adapters: " + names());
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("active adapters " + names + " name an adapter twice");
        }
        for (String name : names) {
            get(name);
        }
        if (names.size() > 1) {
            Adapter first = get(names.getFirst());
            if (!first.method().supportsMultipleActiveAdapters()) {
                throw new IllegalArgumentException("peft_type " + peftType(first.config()) + " allows one active adapter at a time, got "
                        + names);
            }
            requireOneCopyPerModule(names);
        }
        model.adapterToggle().setActiveAdapters(names);
        applyTrainability();
    }

    private void requireOneCopyPerModule(List<String> names) {
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof ModulesToSaveWrapper wrapper) {
                List<String> owners = names.stream().filter(wrapper.adapterNames()::contains).toList();
                if (owners.size() > 1) {
                    throw new IllegalArgumentException("adapters " + owners + " each own a modules_to_save copy of '" + entry.getKey()
                            + "'; only one of them can be active at a time (HF PEFT refuses several active adapters with"
                            + " modules_to_save)");
                }
            }
        }
    }

    /** Freezes every adapter's parameters except those of the active, trainable ones. */
    void applyTrainability() {
        List<String> active = model.adapterToggle().activeAdapters();
        for (Adapter adapter : adapters.values()) {
            boolean train = adapter.trainable() && active.contains(adapter.name());
            adapter.index().parameters().values().forEach(parameter -> parameter.freeze(!train));
        }
    }

    /**
     * Removes an adapter from every layer (HF's {@code delete_adapter}); if it was active, the other
     * active adapters stay active, or, if none remain, the first remaining adapter becomes active
     * (logged, as HF PEFT's warning). A layer left without adapters is replaced by its base block
     * (HF keeps the empty wrapper), so deleting the last adapter leaves exactly the base model's
     * modules and parameters. A prompt-learning adapter's encoder ({@code prompt_encoder.<name>}) is
     * removed from the module tree.
     *
     * @param name the adapter
     * @throws IllegalArgumentException if there is no such adapter, listing the adapters
     * @throws IllegalStateException if the adapter is merged into the base weights (nothing changes),
     *     or its method trained the base weights themselves (full fine-tuning)
     */
    void delete(String name) {
        Adapter adapter = get(name);
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof MergeableLayer layer && layer.mergedAdapters().contains(name)) {
                throw new IllegalStateException("adapter '" + name + "' is merged into the base weights of '" + entry.getKey()
                        + "'; unmerge() before deleting it (nothing was changed)");
            }
        }
        if (!adapter.method().freezesBaseModel()) {
            throw new IllegalStateException("adapter '" + name + "' (peft_type " + peftType(adapter.config())
                    + ") trained the base weights themselves; there is nothing to delete");
        }
        List<Parameter> owned = new ArrayList<>(adapter.index().parameters().values());
        owned.removeAll(adapter.index().trainedBaseParameters());
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof AdapterLayer layer && layer.adapterNames().contains(name)) {
                layer.deleteAdapter(name);
                if (layer.adapterNames().isEmpty()) {
                    model.replaceModule(entry.getKey(), layer.baseLayer());
                }
            }
        }
        model.detachPromptEncoder(name);
        owned.forEach(Parameter::close);
        adapters.remove(name);
        List<String> active = new ArrayList<>(model.adapterToggle().activeAdapters());
        if (active.remove(name)) {
            if (active.isEmpty() && !adapters.isEmpty()) {
                active.add(adapters.keySet().iterator().next());
                LOG.warn("adapter '{}' was active and is now deleted; setting the active adapter to '{}'", name, active.getFirst());
            }
            model.adapterToggle().setActiveAdapters(active);
            applyTrainability();
        }
    }

    /**
     * Forgets every adapter after {@code merge_and_unload}: parameters of blocks no longer in the
     * model are closed (those still in it, such as the kept {@code modules_to_save} copy, stay), and
     * no adapter is active.
     */
    void clear() {
        Set<Parameter> present = Collections.newSetFromMap(new IdentityHashMap<>());
        present.addAll(Parameters.byName(model.root()).values());
        for (Adapter adapter : adapters.values()) {
            adapter.index().created().stream().filter(parameter -> !present.contains(parameter)).forEach(Parameter::close);
        }
        adapters.clear();
        model.adapterToggle().setActiveAdapters(List.of());
    }

    /**
     * @param name an adapter's name
     * @return the adapter
     * @throws IllegalArgumentException if there is none, listing the adapters
     */
    Adapter get(String name) {
        Adapter adapter = adapters.get(name);
        if (adapter == null) {
            throw new IllegalArgumentException("no adapter '" + name + "'; adapters: " + names());
        }
        return adapter;
    }

    /**
     * The adapter single-adapter callers mean: the first active one.
     *
     * @return the adapter
     * @throws IllegalStateException if every adapter was deleted
     */
    Adapter current() {
        List<String> active = model.adapterToggle().activeAdapters();
        if (active.isEmpty()) {
            throw new IllegalStateException("this model holds no adapter (all were deleted); add one with addAdapter");
        }
        return get(active.getFirst());
    }

    /** @return the adapters' names in insertion order */
    List<String> names() {
        return List.copyOf(adapters.keySet());
    }

    /** @return the adapters in insertion order */
    List<Adapter> all() {
        return List.copyOf(adapters.values());
    }

    /** @return the active adapters' names, in activation order */
    List<String> active() {
        return model.adapterToggle().activeAdapters();
    }

    /** @return the runtime, or {@code null} */
    PeftRuntime runtime() {
        return runtime;
    }

    /** @return HF's peft_type of a config (its class name without a runtime) */
    String peftType(PeftConfig config) {
        return runtime == null ? config.getClass().getSimpleName() : runtime.registry().byConfigType(config.getClass()).peftType();
    }
}
