package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.io.CheckpointPaths;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.PromptEncoder;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.TextEncoder;
import dev.peft4j.core.target.ModulesToSaveWrapper;
import dev.peft4j.core.target.TargetResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A base model adapted by one PEFT method, HF PEFT's {@code PeftModel}: the forward pass, the
 * trainable parameters, and a scope in which the model computes exactly the base model.
 *
 * <p>Adapting freezes every base parameter (except for full fine-tuning), lets the method inject
 * its blocks, then wraps {@code modules_to_save} (plus {@code classifier} for
 * {@link TaskType#SEQ_CLS}, as HF PEFT does) in trainable copies.
 */
public final class PeftModel implements AutoCloseable {

    /** The head HF PEFT adds to {@code modules_to_save} for sequence classification. */
    public static final String CLASSIFIER = "classifier";

    private final TransformerModel model;
    private final PeftMethod method;
    private final InjectionContext context;
    private final List<String> savedModules;
    private final AdapterParameterIndex index;
    private final PeftConfigs configs;

    private PeftModel(TransformerModel model, PeftMethod method, InjectionContext context, List<String> savedModules,
            AdapterParameterIndex index, PeftConfigs configs) {
        this.model = model;
        this.method = method;
        this.context = context;
        this.savedModules = List.copyOf(savedModules);
        this.index = index;
        this.configs = configs;
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
     * @param configs the runtime's config writer, which {@link #savePretrained} needs; {@code null} if not saved
     * @return the adapted model
     * @throws IllegalArgumentException if the config does not fit the model or the adapter name is not allowed
     */
    static PeftModel adapt(TransformerModel model, PeftMethod method, InjectionContext context, PeftConfigs configs) {
        String adapterName = CheckpointPaths.requireAdapterName(context.adapterName());
        var base = AdapterParameterIndex.BaseSnapshot.of(model);
        if (method.freezesBaseModel()) {
            model.root().freezeParameters(true);
        }
        method.apply(context);
        List<String> saved = new ArrayList<>();
        if (method.freezesBaseModel()) {
            for (String path : TargetResolver.resolveModulesToSave(model, method.config().modulesToSave(), context.origin())) {
                wrapForSaving(model, path, adapterName);
                saved.add(path);
            }
            if (model.taskType() == TaskType.SEQ_CLS && !saved.contains(CLASSIFIER)) {
                wrapForSaving(model, CLASSIFIER, adapterName);
                saved.add(CLASSIFIER);
            }
        }
        return new PeftModel(model, method, context, saved, AdapterParameterIndex.after(model, adapterName, base), configs);
    }

    private static void wrapForSaving(TransformerModel model, String path, String adapterName) {
        var wrapper = new ModulesToSaveWrapper(model.module(path), adapterName, model.adapterSwitch());
        model.replaceModule(path, wrapper);
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
        return model.forward(inputs, training);
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
        return model.forward(inputs, seed);
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
        return model.pooledEmbeddings(inputs);
    }

    /**
     * Disables every adapter until the scope closes; nested scopes and exceptions are safe:
     * <pre>{@code try (var base = peftModel.disableAdapter()) { ... } }</pre>
     *
     * @return the scope to close
     */
    public AdapterToggle.Scope disableAdapter() {
        return model.adapterToggle().disable();
    }

    /** @return the model with its injected blocks (HF PEFT's {@code get_base_model()}) */
    public TransformerModel baseModel() {
        return model;
    }

    /** @return the config applied */
    public PeftConfig config() {
        return method.config();
    }

    /** @return the paths wrapped as {@code modules_to_save} */
    public List<String> modulesToSave() {
        return savedModules;
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
     * The adapter's tensors as HF PEFT saves them ({@code get_peft_model_state_dict}): every
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
        Map<String, HostTensor> out = new LinkedHashMap<>();
        if (!promptEncoderParameters) {
            model.promptEncoders().values().forEach(encoder -> out.put(AdapterKeys.PROMPT_EMBEDDINGS, encoder.promptEmbeddings()));
        }
        Map<String, Parameter> parameters = index.parameters();
        index.checkpointKeys(promptEncoderParameters).forEach((key, path) -> {
            var array = parameters.get(path).getArray();
            out.put(key, new HostTensor(array.getShape().getShape(), array.toFloatArray()));
        });
        return out;
    }

    /**
     * HF PEFT's {@code save_pretrained(dir)} in HF's format: {@code adapter_config.json} and
     * {@code adapter_model.safetensors} ({@link #adapterWeights()}) in {@code dir}, or, for an adapter
     * not named {@code default}, in {@code dir/<adapter name>/}. The adapter folder is written with
     * {@link AdapterCheckpoint#write} (staging folder, atomic replace): it is replaced as a whole,
     * and a crash leaves the previous folder or the new one.
     *
     * @param dir the output folder
     * @return the adapter folder written
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
     * @return the adapter folder written
     * @throws IOException if writing fails
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public Path savePretrained(Path dir, SaveOptions options) throws IOException {
        if (configs == null) {
            throw new IllegalStateException("this PeftModel was adapted without a PeftRuntime; create it with "
                    + "PeftRuntime.getPeftModel to save it");
        }
        Path folder = InjectionContext.DEFAULT_ADAPTER.equals(adapterName()) ? dir
                : CheckpointPaths.resolveInside(dir, adapterName(), "adapter folder");
        AdapterCheckpoint.write(folder, adapterConfigJson(options), adapterWeights(options.promptEncoderParameters()),
                Map.of("format", "pt"));
        return folder;
    }

    /**
     * The {@code adapter_config.json} that {@link #savePretrained(Path, SaveOptions)} writes: the
     * config in HF PEFT's keys plus {@code task_type}, {@code base_model_name_or_path},
     * {@code inference_mode} and our provenance under {@code peft4j}.
     *
     * @param options {@code base_model_name_or_path} and the kind of tensors saved beside it
     * @return pretty-printed JSON
     * @throws IllegalStateException if this model was not created through a {@link PeftRuntime}
     */
    public String adapterConfigJson(SaveOptions options) {
        if (configs == null) {
            throw new IllegalStateException("this PeftModel was adapted without a PeftRuntime; create it with "
                    + "PeftRuntime.getPeftModel to save it");
        }
        return AdapterConfigJson.of(configs.mapper(), configs.writeConfig(config()), model.taskType(), options);
    }

    /** @return the adapter's name ({@code default} unless named) */
    public String adapterName() {
        return context.adapterName();
    }

    /** @return the method applied (its {@link PeftMethod#loadCheckpointTensor} places saved tensors) */
    PeftMethod method() {
        return method;
    }

    /** @return the context the method was applied with */
    InjectionContext context() {
        return context;
    }

    /** @return which parameters are the adapter's, and their keys */
    AdapterParameterIndex index() {
        return index;
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
        model.close();
    }
}
