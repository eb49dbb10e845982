package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.AdapterKeys;
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
    private final List<String> savedModules;

    private PeftModel(TransformerModel model, PeftMethod method, List<String> savedModules) {
        this.model = model;
        this.method = method;
        this.savedModules = List.copyOf(savedModules);
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
        if (method.freezesBaseModel()) {
            model.root().freezeParameters(true);
        }
        method.apply(new InjectionContext(model, InjectionContext.DEFAULT_ADAPTER, origin, textEncoder));
        List<String> saved = new ArrayList<>();
        if (method.freezesBaseModel()) {
            for (String path : TargetResolver.resolveModulesToSave(model, method.config().modulesToSave(), origin)) {
                wrapForSaving(model, path);
                saved.add(path);
            }
            if (model.taskType() == TaskType.SEQ_CLS && !saved.contains(CLASSIFIER)) {
                wrapForSaving(model, CLASSIFIER);
                saved.add(CLASSIFIER);
            }
        }
        return new PeftModel(model, method, saved);
    }

    private static void wrapForSaving(TransformerModel model, String path) {
        var wrapper = new ModulesToSaveWrapper(model.module(path), InjectionContext.DEFAULT_ADAPTER, model.adapterSwitch());
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
     * The adapter's tensors as HF PEFT saves them: every trainable parameter, keyed by
     * {@link AdapterKeys#toCheckpointKey} ({@code base_model.model.<path>}, adapter name removed),
     * except that a prompt-learning encoder's parameters are saved as the one tensor
     * {@link AdapterKeys#PROMPT_EMBEDDINGS} ({@link PromptEncoder#promptEmbeddings()}, HF's
     * {@code get_prompt_embedding_to_save}).
     *
     * @return fp32 host tensors in model order
     */
    public Map<String, HostTensor> adapterWeights() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        Map<String, PromptEncoder> prompts = model.promptEncoders();
        prompts.values().forEach(encoder -> out.put(AdapterKeys.PROMPT_EMBEDDINGS, encoder.promptEmbeddings()));
        trainableParameters().forEach((path, parameter) -> {
            if (prompts.keySet().stream().anyMatch(prompt -> path.startsWith(prompt + "."))) {
                return;
            }
            var array = parameter.getArray();
            out.put(AdapterKeys.toCheckpointKey(path, InjectionContext.DEFAULT_ADAPTER),
                    new HostTensor(array.getShape().getShape(), array.toFloatArray()));
        });
        return out;
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
