package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.io.CheckpointPaths;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.BertModel;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.KeyValueCache;
import dev.peft4j.core.model.PromptEncoder;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.AdapterCombination;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.TextEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A base model adapted by one PEFT method, HF PEFT's {@code PeftModel}: the forward pass, the
 * trainable parameters, and a scope in which the model computes exactly the base model. It holds
 * one or more adapters of that method on the one base model ({@link #addAdapter},
 * {@link #loadAdapter}, {@link #setActiveAdapter}, {@link #deleteAdapter}; rules in
 * {@link AdapterSet}); single-adapter calls ({@link #config()}, {@link #adapterName()},
 * {@link #adapterWeights()}) mean the active adapter.
 *
 * <p>Adapting freezes every base parameter (except for full fine-tuning), lets the method inject
 * its blocks, then wraps {@code modules_to_save} (plus {@code classifier} for
 * {@link TaskType#SEQ_CLS}, as HF PEFT does) in trainable copies.
 *
 * <p>Serving: {@link #forward(NDList, List)} runs a batch whose rows use different adapters (or the
 * base model), HF PEFT's {@code adapter_names}. Thread safety: forward passes may run on any number
 * of threads at once (they share a read lock, {@link AdapterLock}; a mixed batch's row routing is
 * per thread). Adapter management ({@link #addAdapter}, {@link #loadAdapter},
 * {@link #setActiveAdapter}, {@link #setActiveAdapters}, {@link #deleteAdapter}, {@link #close})
 * is exclusive: it waits for the running forward passes and holds new ones until it is done, so a
 * forward pass never sees half a change. Not covered: {@link #disableAdapter()} (model-wide, see
 * there), and training while serving (the optimizer updates parameters in place).
 */
public final class PeftModel implements AutoCloseable {

    /** The head HF PEFT adds to {@code modules_to_save} for sequence classification. */
    public static final String CLASSIFIER = "classifier";

    private final TransformerModel model;
    private final AdapterSet adapters;
    private final AdapterMerging merging;
    private final AdapterLock lock = new AdapterLock();

    private PeftModel(TransformerModel model, AdapterSet adapters) {
        this.model = model;
        this.adapters = adapters;
        this.merging = new AdapterMerging(model, adapters);
    }

    /**
     * Adapts {@code model} in place with {@code method}.
     *
     * @param model the base model; from now on owned by the returned {@link PeftModel}
     * @param method the method bound to its config
     * @param origin how strictly {@code target_modules} / {@code modules_to_save} entries are checked
     * @return the adapted model
     * @throws IllegalArgumentException if the config does not fit the model (message names the
     *     entry and the closest module paths)
     */
    public static PeftModel adapt(TransformerModel model, PeftMethod method, ConfigOrigin origin) {
        return adapt(model, method, origin, null);
    }

    /**
     * Adapts {@code model} in place with {@code method}, handing the method the base model's
     * tokenizer (prompt tuning's {@code prompt_tuning_init: TEXT} needs it).
     *
     * @param model the base model; from now on owned by the returned {@link PeftModel}
     * @param method the method bound to its config
     * @param origin how strictly {@code target_modules} / {@code modules_to_save} entries are checked
     * @param textEncoder the base model's tokenizer (e.g. a
     *     {@link dev.peft4j.core.model.SentenceTokenizer}), or {@code null}
     * @return the adapted model
     * @throws IllegalArgumentException if the config does not fit the model
     */
    public static PeftModel adapt(TransformerModel model, PeftMethod method, ConfigOrigin origin, TextEncoder textEncoder) {
        return adapt(model, method, new InjectionContext(model, InjectionContext.DEFAULT_ADAPTER, origin, textEncoder), null);
    }

    /**
     * Adapts {@code model} in place: freezes the base, lets the method inject its blocks, wraps
     * {@code modules_to_save}.
     *
     * @param model the base model; from now on owned by the returned {@link PeftModel}
     * @param method the method bound to its config
     * @param context the model, the adapter's name (checked by {@link CheckpointPaths#requireAdapterName}),
     *     the config's origin and the tokenizer
     * @param runtime the runtime, which {@link #savePretrained} and {@link #addAdapter} need; {@code null} if not used
     * @return the adapted model
     * @throws IllegalArgumentException if the config does not fit the model or the adapter name is not allowed
     */
    static PeftModel adapt(TransformerModel model, PeftMethod method, InjectionContext context, PeftRuntime runtime) {
        return adapt(model, method, context, runtime, true);
    }

    /**
     * As {@link #adapt(TransformerModel, PeftMethod, InjectionContext, PeftRuntime)}, recording
     * whether the adapter trains (an adapter loaded for inference stays frozen when re-activated).
     */
    static PeftModel adapt(TransformerModel model, PeftMethod method, InjectionContext context, PeftRuntime runtime,
            boolean trainable) {
        return new PeftModel(model, AdapterSet.first(model, method, context, runtime, trainable));
    }

    /**
     * Runs the adapted model (see {@link TransformerModel#forward}).
     *
     * @param inputs {@code input_ids}, {@code attention_mask} (and optionally
     *     {@code token_type_ids}), each {@code (batch, seq)} int64
     * @param training whether dropout is active
     * @return hidden states {@code (batch, seq, hidden)} or logits {@code (batch, num_labels)}
     */
    public NDList forward(NDList inputs, boolean training) {
        return lock.read(() -> model.forward(inputs, training));
    }

    /**
     * Runs a mixed-adapter batch for inference, HF PEFT's {@code model(**batch, adapter_names=[...])}:
     * row {@code i} computes with adapter {@code adapterNames.get(i)} alone, or with the base model
     * for {@code "__base__"} ({@link dev.peft4j.core.spi.RowAdapters#BASE}), all in one forward pass.
     * Every LoRA layer groups the rows by adapter and adds each group its adapter's term (HF's
     * {@code _mixed_batch_forward}); each {@code modules_to_save} wrapper (the {@code SEQ_CLS}
     * classifier) routes each row to its adapter's copy. Which adapters are active does not matter;
     * each row equals running it alone with its adapter active (within 1e-5, fp32). The routing is
     * held per thread for this call only, so any number of threads may run mixed batches at once.
     * Every adapter's head has the model's {@code num_labels} ({@link #addAdapter} and
     * {@link #loadAdapter} refuse others), so one logits tensor holds every row. Runs without
     * recording gradients. While {@link #disableAdapter()} is open every row computes the base model, as HF.
     *
     * @param inputs {@code input_ids}, {@code attention_mask} (optionally {@code token_type_ids}),
     *     each {@code (batch, seq)} int64
     * @param adapterNames one adapter name or {@code "__base__"} per row ({@code batch} names)
     * @return hidden states {@code (batch, seq, hidden)} or logits {@code (batch, num_labels)}
     * @throws IllegalArgumentException if the number of names differs from the number of rows, a
     *     name is unknown ({@code unknown adapter 'x' in adapter_names; adapters: [a, b], or __base__
     *     for the base model}), the method's layers do not route rows (every method but LoRA: the
     *     message names the {@code peft_type}), or a named adapter uses DoRA (HF PEFT refuses it too)
     * @throws IllegalStateException while adapters are merged into the base weights (HF refuses too)
     */
    public NDList forward(NDList inputs, List<String> adapterNames) {
        return forward(inputs, adapterNames, false);
    }

    /**
     * As {@link #forward(NDList, List)}, refusing training mode as HF PEFT does.
     *
     * @param inputs as {@link #forward(NDList, List)}
     * @param adapterNames as {@link #forward(NDList, List)}
     * @param training must be {@code false}
     * @return as {@link #forward(NDList, List)}
     * @throws IllegalArgumentException if {@code training} ({@code adapter_names cannot be used in
     *     training mode; ...}), and as {@link #forward(NDList, List)}
     */
    public NDList forward(NDList inputs, List<String> adapterNames, boolean training) {
        return lock.read(() -> MixedBatchForward.run(model, adapters, inputs, adapterNames, training));
    }

    /**
     * Runs the adapted model in training mode with reproducible dropout (see
     * {@link TransformerModel#forward(NDList, DropoutSeed)}).
     *
     * @param inputs as {@link #forward(NDList, boolean)}
     * @param seed the run's seed and this forward pass's index
     * @return as {@link #forward(NDList, boolean)}
     */
    public NDList forward(NDList inputs, DropoutSeed seed) {
        return lock.read(() -> model.forward(inputs, seed));
    }

    /**
     * Runs the adapted decoder in evaluation mode on new tokens after the cached ones and appends
     * their keys, values and mask to {@code cache} (see
     * {@link TransformerModel#forward(NDList, KeyValueCache)}); HF's {@code past_key_values}, as
     * {@link dev.peft4j.core.generate.Generator} uses it.
     *
     * @param inputs {@code input_ids (batch, new)} and {@code attention_mask (batch, new)} int64,
     *     covering only the new tokens
     * @param cache the decoder's cache ({@link TransformerModel#newKeyValueCache}), empty on the first call
     * @return logits {@code (batch, new, vocab)} fp32
     * @throws IllegalStateException if the model is not {@link TaskType#CAUSAL_LM}
     */
    public NDList forward(NDList inputs, KeyValueCache cache) {
        return lock.read(() -> model.forward(inputs, cache));
    }

    /**
     * Sentence embeddings of the adapted model in evaluation mode: the mean-pooled encoder output
     * the head classifies, before its dropout and classifier (see
     * {@link TransformerModel#pooledEmbeddings}); inside {@link #disableAdapter()} the base model's.
     *
     * @param inputs {@code input_ids}, {@code attention_mask} (and optionally
     *     {@code token_type_ids}), each {@code (batch, seq)} int64
     * @return {@code (batch, hidden)} fp32
     */
    public NDArray pooledEmbeddings(NDList inputs) {
        return lock.read(() -> model.pooledEmbeddings(inputs));
    }

    /**
     * Disables every adapter (all of them, active or not) until the scope closes; nested scopes and
     * exceptions are safe:
     * <pre>{@code try (var base = peftModel.disableAdapter()) { ... } }</pre>
     * The scope is model-wide, as HF's {@code disable_adapter()}: forward passes on every thread
     * compute the base model while it is open. Do not open it while other threads serve requests;
     * for base-model rows in a served batch pass {@code "__base__"} to {@link #forward(NDList, List)}.
     * Merged adapters are unmerged first, under the exclusive lock (HF unmerges inside the disabled
     * forward pass; doing it here keeps forward passes from writing base weights), and stay unmerged.
     *
     * @return the scope to close
     */
    public AdapterToggle.Scope disableAdapter() {
        lock.write(() -> {
            if (!merging.mergedAdapters().isEmpty()) {
                merging.unmerge();
            }
        });
        return model.adapterToggle().disable();
    }

    /** @return the model with its injected blocks (HF PEFT's {@code get_base_model()}) */
    public TransformerModel baseModel() {
        return model;
    }

    /**
     * Injects another adapter of the same {@code peft_type} into this model (HF PEFT's
     * {@code add_adapter(adapter_name, peft_config)}). The new adapter is not active and its
     * parameters are frozen: {@link #setActiveAdapter} it to train or use it. Its targets may differ
     * from the other adapters'; LoRA adds it to layers that already wrap a target (HF's
     * {@code update_layer}). With {@code SEQ_CLS} it gets its own copy of the classifier
     * ({@code classifier.modules_to_save.<name>}), started from the base model's head; for a task
     * with another number of classes use {@link #addAdapter(String, PeftConfig, int)}.
     *
     * @param name letters, digits, {@code _} and {@code -}, not a parameter-name segment
     *     ({@link CheckpointPaths#RESERVED_ADAPTER_NAMES}), not yet used
     * @param config a config of the same method as this model's adapters; entries of
     *     {@code target_modules} / {@code modules_to_save} are checked as a user's
     *     ({@link ConfigOrigin#USER})
     * @throws IllegalArgumentException if the name is not allowed or taken, the {@code peft_type}
     *     differs ({@code adapter 'b' has peft_type BOTTLENECK, but this model's adapters [default]
     *     have peft_type LORA; ...}), the method holds one adapter per model (full fine-tuning), an adapter trains base parameters ({@code bias}), or the
     *     config does not fit the model
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public void addAdapter(String name, PeftConfig config) {
        addAdapter(name, config, 0);
    }

    /**
     * As {@link #addAdapter(String, PeftConfig)} for a {@code SEQ_CLS} task with its own number of
     * classes: the adapter's classifier ({@code classifier.modules_to_save.<name>}) is a fresh
     * {@code Linear(hidden, numLabels)} (weights N(0, 0.02), bias 0, as the model's head starts)
     * instead of a copy of the model's. While the adapter is active the model's logits are
     * {@code (batch, numLabels)} and a {@link dev.peft4j.core.train.Trainer} built then trains with
     * that many classes. (HF PEFT keeps one head shape per model; this is peft4j's extension.)
     *
     * @param name as {@link #addAdapter(String, PeftConfig)}
     * @param config as {@link #addAdapter(String, PeftConfig)}
     * @param numLabels the adapter's classes, &gt;= 2; the model's own count gives a copy of its head
     * @throws IllegalArgumentException as {@link #addAdapter(String, PeftConfig)}, or
     *     {@code num_labels must be >= 2, got 1}, or {@code num_labels is for SEQ_CLS models; this
     *     model is FEATURE_EXTRACTION}
     */
    public void addAdapter(String name, PeftConfig config, int numLabels) {
        PeftRuntime runtime = requireRuntime("add an adapter");
        if (numLabels != 0 && model.taskType() != TaskType.SEQ_CLS) {
            throw new IllegalArgumentException("num_labels is for SEQ_CLS models; this model is " + model.taskType());
        }
        if (numLabels != 0 && numLabels < 2) {
            throw new IllegalArgumentException("num_labels must be >= 2, got " + numLabels);
        }
        TextEncoder textEncoder = adapters.all().isEmpty() ? null : adapters.all().getFirst().context().textEncoder();
        lock.write(() -> adapters.add(runtime.createMethod(config), new InjectionContext(model, name, ConfigOrigin.USER, textEncoder),
                true, numLabels));
    }

    /**
     * Loads a saved adapter folder ({@code adapter_config.json} and {@code adapter_model.safetensors},
     * written by {@link #savePretrained} or HF PEFT) as another adapter, for inference (HF PEFT's
     * {@code load_adapter(model_id, adapter_name)}, {@code is_trainable=False}). The folder is the
     * adapter's own: {@code savePretrained(dir)} writes {@code default} to {@code dir} and another
     * adapter {@code x} to {@code dir/x}. Not active after loading. A {@code SEQ_CLS} adapter whose
     * saved classifier has another number of classes than the model's gets a head of that size
     * (see {@link #addAdapter(String, PeftConfig, int)}).
     *
     * @param dir the adapter folder
     * @param name the name the adapter gets here, as {@link #addAdapter}
     * @throws IOException as {@link PeftRuntime#fromPretrained(TransformerModel, Path)}; the model is
     *     then unchanged (the partly loaded adapter is removed)
     * @throws IllegalArgumentException as {@link #addAdapter}
     */
    public void loadAdapter(Path dir, String name) throws IOException {
        loadAdapter(dir, name, false);
    }

    /**
     * As {@link #loadAdapter(Path, String)}, optionally for training (HF's {@code is_trainable}).
     *
     * @param dir the adapter folder
     * @param name the name the adapter gets here
     * @param isTrainable whether its parameters train while it is active
     * @throws IOException as {@link #loadAdapter(Path, String)}
     */
    public void loadAdapter(Path dir, String name, boolean isTrainable) throws IOException {
        PeftRuntime runtime = requireRuntime("load an adapter");
        CheckpointPaths.requireAdapterName(name);
        lock.writeIo(() -> AdapterLoader.loadInto(runtime, this, dir, name, isTrainable));
    }

    /**
     * Makes one adapter the active one (HF PEFT's {@code set_adapter(name)}): only it computes, only
     * its parameters (and its {@code modules_to_save} copy) are trainable, the others' frozen, so a
     * {@link dev.peft4j.core.train.Trainer} built afterwards trains it (its optimizer takes the
     * trainable parameters) and leaves every other adapter bit-identical. An adapter loaded for
     * inference stays frozen.
     *
     * @param name an adapter of {@link #adapterNames()}
     * @throws IllegalArgumentException {@code no adapter 'x'; adapters: [default, b]}
     */
    public void setActiveAdapter(String name) {
        lock.write(() -> adapters.setActive(List.of(name)));
    }

    /**
     * Makes several adapters active at once where the method allows it (LoRA: the layers add every
     * active adapter's term; HF PEFT's {@code set_adapter([...])}).
     *
     * @param names adapters of {@link #adapterNames()}, non-empty, no repeats
     * @throws IllegalArgumentException if a name is unknown or repeated, the list is empty, the
     *     method allows one active adapter ({@code peft_type BOTTLENECK allows one active adapter
     *     at a time, got [a, b]}), or two of them own a copy of the same {@code modules_to_save}
     *     module (e.g. the {@code SEQ_CLS} classifier: HF PEFT refuses that too)
     */
    public void setActiveAdapters(List<String> names) {
        lock.write(() -> adapters.setActive(names));
    }

    /**
     * Removes an adapter: its blocks in every layer, its parameters, its {@code modules_to_save}
     * copies (HF PEFT's {@code delete_adapter}). Deleting an active adapter keeps the other active
     * ones; if none remain the first remaining adapter becomes active, with a warning in the log, as
     * HF. A wrapper left without adapters is replaced by its base block, so deleting the last
     * adapter leaves exactly the base model's modules (HF keeps empty wrappers).
     *
     * @param name an adapter of {@link #adapterNames()}
     * @throws IllegalArgumentException if there is no such adapter
     * @throws IllegalStateException if it is merged into the base weights (nothing changes), or is a
     *     full fine-tuning adapter
     */
    public void deleteAdapter(String name) {
        lock.write(() -> adapters.delete(name));
    }

    /**
     * Folds the active adapters into the base weights (HF PEFT's {@code merge_adapter()}); see
     * {@link #merge(List, boolean)}.
     */
    public void merge() {
        merge(activeAdapters(), false);
    }

    /**
     * Folds the named adapters into the base weights (HF PEFT's {@code merge_adapter(adapter_names)}).
     *
     * @param names adapters of {@link #adapterNames()}
     * @see #merge(List, boolean)
     */
    public void merge(List<String> names) {
        merge(names, false);
    }

    /**
     * Folds the named LoRA/DoRA adapters into the base weights of every layer that holds them, so the
     * forward pass skips their path: per layer {@code W += scaling * B A}, DoRA
     * {@code W += (m / n) * (W + scaling * B A) - W} with {@code W} the unmerged weight (for one adapter
     * HF's {@code (m / n) * (W + scaling * B A)}; several adapters on one layer merge exactly, where
     * HF's sequential DoRA merge does not). While merged, each layer keeps a copy of its unmerged
     * weight ({@code out * in} floats), so {@link #unmerge()} restores it exactly.
     * <ul>
     *   <li>An adapter already merged is skipped with a warning in the log (HF warns too).</li>
     *   <li>A merged adapter is in the weights, so it computes whether or not it is active (as HF);
     *       active adapters left unmerged keep adding their terms, so merging a subset drops none.</li>
     *   <li>{@link #disableAdapter()} unmerges every merged adapter when its scope opens (HF unmerges
     *       inside the disabled forward pass); they stay unmerged afterwards.</li>
     *   <li>{@link #deleteAdapter} refuses a merged adapter and changes nothing.</li>
     * </ul>
     * Call it outside a {@code GradientCollector}: it writes the base weights in place.
     *
     * @param names adapters of {@link #adapterNames()}
     * @param safeMerge HF's {@code safe_merge}: compute every merged weight in a copy and check it for
     *     NaN/Inf before any base weight changes
     * @throws IllegalArgumentException if a name is unknown, or the adapter has no weights to fold into
     *     ({@code adapter 'default' (peft_type BOTTLENECK) cannot be merged: ...; only LoRA and DoRA adapters merge})
     * @throws IllegalStateException with {@code safeMerge}: {@code safe merge refused at module
     *     'encoder.layer.3.attention.self.query': adapter 'b' would make the merged weight contain NaN or
     *     infinite values; the base weights are unchanged}
     */
    public void merge(List<String> names, boolean safeMerge) {
        lock.write(() -> merging.merge(names, safeMerge));
    }

    /**
     * {@link #merge(List, boolean)} with {@code safeMerge} true.
     *
     * @param names adapters of {@link #adapterNames()}
     */
    public void safeMerge(List<String> names) {
        merge(names, true);
    }

    /** Takes every merged adapter out of the base weights, restoring them exactly (HF's {@code unmerge_adapter()}). */
    public void unmerge() {
        lock.write(merging::unmerge);
    }

    /** @return the adapters folded into the base weights, in merge order (HF's {@code merged_adapters}) */
    public List<String> mergedAdapters() {
        return lock.read(merging::mergedAdapters);
    }

    /**
     * HF PEFT's {@code merge_and_unload()}: merges the active adapters, then replaces every LoRA layer
     * by its base {@code Linear} and every {@code modules_to_save} wrapper by the active adapter's
     * copy; inactive, unmerged adapters are dropped. The result has no adapter blocks and computes what
     * this model computed; this {@code PeftModel} then holds no adapter and still owns the model (close
     * one of the two).
     *
     * @return the plain model (the same object as {@link #baseModel()})
     * @throws IllegalArgumentException if an adapter block cannot be merged (bottleneck adapters,
     *     prompt learning), checked before anything changes
     */
    public TransformerModel mergeAndUnload() {
        return mergeAndUnload(false);
    }

    /**
     * As {@link #mergeAndUnload()}, optionally as a safe merge.
     *
     * @param safeMerge see {@link #merge(List, boolean)}
     * @return the plain model
     * @throws IllegalStateException with {@code safeMerge}, as {@link #merge(List, boolean)}; nothing changed
     */
    public TransformerModel mergeAndUnload(boolean safeMerge) {
        return lock.exclusive(() -> merging.mergeAndUnload(safeMerge));
    }

    /** @return every adapter's name, in the order they were added (HF's {@code peft_config.keys()}) */
    public List<String> adapterNames() {
        return adapters.names();
    }

    /** @return the active adapters, in activation order (HF's {@code active_adapters}) */
    public List<String> activeAdapters() {
        return adapters.active();
    }

    /**
     * @return the active adapter's config (the first active one's)
     * @throws IllegalStateException if every adapter was deleted
     */
    public PeftConfig config() {
        return adapters.current().config();
    }

    /**
     * @param name an adapter's name
     * @return its config
     * @throws IllegalArgumentException if there is no such adapter
     */
    public PeftConfig config(String name) {
        return adapters.get(name).config();
    }

    /** @return the paths wrapped as {@code modules_to_save} for the active adapter */
    public List<String> modulesToSave() {
        return adapters.current().modulesToSave();
    }

    /** @return the parameters that require gradients, by dotted path */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Parameters.byName(model.root()).forEach((name, parameter) -> {
            if (parameter.requiresGradient()) {
                out.put(name, parameter);
            }
        });
        return out;
    }

    /**
     * The active adapter's tensors as HF PEFT saves them ({@code get_peft_model_state_dict}): every
     * parameter of the adapter (what the method created, the {@code modules_to_save} copies, base
     * parameters it left trainable), keyed by
     * {@link AdapterKeys#toCheckpointKey(String, String, java.util.function.Predicate)}
     * ({@code base_model.model.<path>}, adapter name removed), except that a prompt-learning
     * encoder's parameters are saved as the one tensor {@link AdapterKeys#PROMPT_EMBEDDINGS}
     * ({@link PromptEncoder#promptEmbeddings()}, HF's {@code get_prompt_embedding_to_save}). The
     * same tensors whether the adapter is trainable or was loaded for inference.
     *
     * @return fp32 host tensors in model order
     */
    public Map<String, HostTensor> adapterWeights() {
        return adapterWeights(false);
    }

    /**
     * As {@link #adapterWeights()}, optionally with a prompt encoder's raw parameters instead of
     * {@code prompt_embeddings} (see {@link SaveOptions#promptEncoderParameters()}).
     *
     * @param promptEncoderParameters whether to save a prompt encoder's parameters by key
     * @return fp32 host tensors in model order
     */
    public Map<String, HostTensor> adapterWeights(boolean promptEncoderParameters) {
        return adapterWeights(adapters.current().name(), promptEncoderParameters);
    }

    /**
     * As {@link #adapterWeights(boolean)} for a named adapter (HF's
     * {@code get_peft_model_state_dict(model, adapter_name=name)}).
     *
     * @param name an adapter's name
     * @param promptEncoderParameters whether to save a prompt encoder's parameters by key
     * @return fp32 host tensors in model order
     * @throws IllegalArgumentException if there is no such adapter
     */
    public Map<String, HostTensor> adapterWeights(String name, boolean promptEncoderParameters) {
        return lock.read(() -> readAdapterWeights(name, promptEncoderParameters));
    }

    private Map<String, HostTensor> readAdapterWeights(String name, boolean promptEncoderParameters) {
        AdapterParameterIndex index = adapters.get(name).index();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        if (!promptEncoderParameters) {
            model.promptEncoders().forEach((path, encoder) -> {
                if (path.endsWith(BertModel.PROMPT_ENCODER + "." + name)) {
                    out.put(AdapterKeys.PROMPT_EMBEDDINGS, encoder.promptEmbeddings());
                }
            });
        }
        Map<String, Parameter> parameters = index.parameters();
        index.checkpointKeys(promptEncoderParameters).forEach((key, path) -> {
            var array = parameters.get(path).getArray();
            out.put(key, new HostTensor(array.getShape().getShape(), array.toFloatArray()));
        });
        return out;
    }

    /**
     * HF PEFT's {@code save_pretrained(dir)} in HF's format, for every adapter:
     * {@code adapter_config.json} and {@code adapter_model.safetensors} ({@link #adapterWeights()})
     * in {@code dir} for the adapter named {@code default}, in {@code dir/<adapter name>/} for every
     * other. Each adapter folder is written with {@link AdapterCheckpoint#write} (staging folder,
     * atomic replace): it is replaced as a whole, and a crash leaves the previous folder or the new
     * one. {@link PeftRuntime#fromPretrained} and {@link #loadAdapter} read them back.
     *
     * @param dir the output folder
     * @return the active adapter's folder
     * @throws IOException if writing fails
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public Path savePretrained(Path dir) throws IOException {
        return savePretrained(dir, SaveOptions.defaults());
    }

    /**
     * As {@link #savePretrained(Path)}, with the base model's name and the choice of tensors.
     *
     * @param dir the output folder
     * @param options {@code base_model_name_or_path}, and whether a prompt encoder's raw parameters
     *     are saved (training checkpoints) instead of HF's {@code prompt_embeddings}
     * @return the active adapter's folder
     * @throws IOException if writing fails
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public Path savePretrained(Path dir, SaveOptions options) throws IOException {
        requireRuntime("save it");
        String current = adapters.current().name();
        Path currentFolder = null;
        for (String name : adapters.names()) {
            Path folder = InjectionContext.DEFAULT_ADAPTER.equals(name) ? dir
                    : CheckpointPaths.resolveInside(dir, name, "adapter folder");
            AdapterCheckpoint.write(folder, adapterConfigJson(name, options), adapterWeights(name, options.promptEncoderParameters()),
                    Map.of("format", "pt"));
            if (name.equals(current)) {
                currentFolder = folder;
            }
        }
        return currentFolder;
    }

    /**
     * The {@code adapter_config.json} that {@link #savePretrained(Path, SaveOptions)} writes for the
     * active adapter: the config in HF PEFT's keys plus {@code task_type},
     * {@code base_model_name_or_path}, {@code inference_mode} and our provenance under {@code peft4j}.
     *
     * @param options {@code base_model_name_or_path} and the kind of tensors saved beside it
     * @return pretty-printed JSON
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public String adapterConfigJson(SaveOptions options) {
        return adapterConfigJson(adapters.current().name(), options);
    }

    /**
     * As {@link #adapterConfigJson(SaveOptions)} for a named adapter.
     *
     * @param name an adapter's name
     * @param options {@code base_model_name_or_path} and the kind of tensors saved beside it
     * @return pretty-printed JSON
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     * @throws IllegalArgumentException if there is no such adapter
     */
    public String adapterConfigJson(String name, SaveOptions options) {
        PeftConfigs configs = requireRuntime("save it").configs();
        return AdapterConfigJson.of(configs.mapper(), configs.writeConfig(config(name)), model.taskType(), options);
    }

    /**
     * @return the active adapter's name ({@code default} unless named; the first active one when
     *     several are active)
     * @throws IllegalStateException if every adapter was deleted
     */
    public String adapterName() {
        return adapters.current().name();
    }

    /**
     * HF PEFT's {@code add_weighted_adapter(adapters, weights, adapter_name, combination_type)} with the
     * method's default SVD rank and no clamping; see {@link #addWeightedAdapter(List, List, AdapterCombination)}.
     *
     * @param adapters the source adapters' names
     * @param weights one weight per source
     * @param name the new adapter's name
     * @param combination LoRA: {@code linear}, {@code cat} or {@code svd}
     * @throws IllegalArgumentException as {@link #addWeightedAdapter(List, List, AdapterCombination)}
     * @throws IOException if the combined adapter cannot be staged
     */
    public void addWeightedAdapter(List<String> adapters, List<Double> weights, String name, String combination)
            throws IOException {
        addWeightedAdapter(adapters, weights, AdapterCombination.of(name, combination));
    }

    /**
     * Adds a new adapter that combines existing ones (HF PEFT's {@code add_weighted_adapter}). For LoRA
     * ({@code dev.peft4j.lora.LoraWeightedCombination}): {@code linear} (same rank; A and B combined
     * separately with square-root weights, so the result is not the weighted sum of the updates),
     * {@code cat} (ranks add; the update is exactly {@code sum_i w_i * s_i * B_i A_i}) and {@code svd}
     * (that sum truncated to {@code svd_rank}); sources with different {@code target_modules} combine
     * over the union of targets, and each source's scaling (rsLoRA or plain) is folded into the factors
     * ({@code lora_alpha = r}). The new adapter is inactive, like {@link #addAdapter}, and trainable
     * once activated; it saves and loads like any adapter.
     *
     * @param adapters the source adapters' names, at least one
     * @param weights one finite weight per source
     * @param combination the new adapter's name, {@code combination_type}, {@code svd_rank}, {@code svd_clamp}
     * @throws IllegalArgumentException if the lists differ in length, a source is unknown, the name
     *     exists or is not allowed, or the method cannot combine these adapters (naming why)
     * @throws IOException if the combined adapter cannot be staged in a temporary folder
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public void addWeightedAdapter(List<String> adapters, List<Double> weights, AdapterCombination combination)
            throws IOException {
        PeftRuntime runtime = requireRuntime("combine adapters");
        lock.writeIo(() -> WeightedAdapterBuilder.add(this, runtime, adapters, weights, combination));
    }

    /** @return the adapters */
    AdapterSet adapters() {
        return adapters;
    }

    private PeftRuntime requireRuntime(String what) {
        if (adapters.runtime() == null) {
            throw new IllegalStateException("this PeftModel was adapted without a PeftRuntime; create it with "
                    + "PeftRuntime.getPeftModel to " + what);
        }
        return adapters.runtime();
    }

    /** @return the number of trainable scalars */
    public long trainableParameterCount() {
        return Parameters.count(model.root(), true);
    }

    /** @return the number of scalars of every parameter (base, adapters, saved copies) */
    public long totalParameterCount() {
        return Parameters.count(model.root(), false);
    }

    /**
     * HF PEFT's {@code print_trainable_parameters()} line, e.g.
     * {@code trainable params: 74,498 || all params: 22,787,714 || trainable%: 0.3269}.
     *
     * @return the line
     */
    public String trainableParametersLine() {
        long trainable = trainableParameterCount();
        long total = totalParameterCount();
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                trainable, total, 100.0 * trainable / total);
    }

    @Override
    public void close() {
        lock.write(model::close);
    }
}
