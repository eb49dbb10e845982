package dev.peft4j.core.runtime;

import ai.djl.nn.Parameter;
import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which parameters of an adapted model belong to the adapter, and their HF PEFT checkpoint keys.
 *
 * <p>Built from a snapshot of the base model taken before the method injected its blocks: a
 * parameter belongs to the adapter when the method created it (LoRA's {@code A} and {@code B}, a
 * {@code modules_to_save} copy, a prompt encoder) or when it is a base parameter left trainable
 * (LoRA's {@code bias: all}, every parameter of full fine-tuning). Keys follow
 * {@link AdapterKeys#toCheckpointKey(String, String, java.util.function.Predicate)}: the adapter
 * name is removed only where the adapter put it, so the mapping is one-to-one whatever the base
 * modules are called.
 */
final class AdapterParameterIndex {

    private final TransformerModel model;
    private final String adapterName;
    private final Set<String> basePaths;
    private final Set<Parameter> baseParameters;
    private final Set<Parameter> trainedBaseParameters;
    private final Set<Parameter> created;

    private AdapterParameterIndex(TransformerModel model, String adapterName, Set<String> basePaths,
            Set<Parameter> baseParameters, Set<Parameter> trainedBaseParameters, Set<Parameter> created) {
        this.model = model;
        this.adapterName = adapterName;
        this.basePaths = basePaths;
        this.baseParameters = baseParameters;
        this.trainedBaseParameters = trainedBaseParameters;
        this.created = created;
    }

    /** The base model's paths and parameters, taken before injection. */
    record BaseSnapshot(Set<String> paths, Set<Parameter> parameters) {

        static BaseSnapshot of(TransformerModel model) {
            Map<String, Parameter> byName = Parameters.byName(model.root());
            Set<String> paths = new java.util.HashSet<>(model.modules().keySet());
            paths.addAll(byName.keySet());
            Set<Parameter> parameters = Collections.newSetFromMap(new IdentityHashMap<>());
            parameters.addAll(byName.values());
            return new BaseSnapshot(Set.copyOf(paths), parameters);
        }
    }

    /**
     * @param model the adapted model, right after injection (before any freezing for inference)
     * @param adapterName the adapter's name
     * @param base the snapshot taken before injection
     * @return the index
     */
    static AdapterParameterIndex after(TransformerModel model, String adapterName, BaseSnapshot base) {
        Set<Parameter> trained = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Parameter> created = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter parameter : Parameters.byName(model.root()).values()) {
            if (!base.parameters().contains(parameter)) {
                created.add(parameter);
            } else if (parameter.requiresGradient()) {
                trained.add(parameter);
            }
        }
        return new AdapterParameterIndex(model, adapterName, base.paths(), base.parameters(), trained, created);
    }

    /** @return the adapter's name */
    String adapterName() {
        return adapterName;
    }

    /** @return the parameters the adapter's injection created, whether or not still in the model */
    Set<Parameter> created() {
        return Collections.unmodifiableSet(created);
    }

    /**
     * @return base parameters the adapter left trainable (LoRA's {@code bias: all} or
     *     {@code lora_only}, every base parameter of full fine-tuning); shared by every adapter
     */
    Set<Parameter> trainedBaseParameters() {
        return Collections.unmodifiableSet(trainedBaseParameters);
    }

    /** @return the adapter's parameters by path, in model order (read now: blocks may have changed) */
    Map<String, Parameter> parameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Parameters.byName(model.root()).forEach((path, parameter) -> {
            if (created.contains(parameter) || trainedBaseParameters.contains(parameter)) {
                out.put(path, parameter);
            }
        });
        return out;
    }

    /**
     * The checkpoint key of every adapter parameter.
     *
     * @param withPromptEncoders whether a prompt encoder's parameters get keys (raw training
     *     checkpoints) or are left out (HF PEFT saves them as {@code prompt_embeddings})
     * @return checkpoint key to parameter path, in model order
     * @throws IllegalStateException if two parameters would share a key
     */
    Map<String, String> checkpointKeys(boolean withPromptEncoders) {
        Set<String> prompts = model.promptEncoders().keySet();
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : parameters().keySet()) {
            if (!withPromptEncoders && prompts.stream().anyMatch(prompt -> path.startsWith(prompt + "."))) {
                continue;
            }
            String key = AdapterKeys.toCheckpointKey(path, adapterName, basePaths::contains);
            String clash = out.put(key, path);
            if (clash != null) {
                throw new IllegalStateException("parameters '" + clash + "' and '" + path + "' both save as '" + key + "'");
            }
        }
        return out;
    }

    /**
     * Whether a checkpoint tensor of the wrong shape disagrees with the config rather than the base
     * model: the parameter was created by the method from the config's sizes (LoRA's {@code A} and
     * {@code B}, not a base or head parameter or a {@code modules_to_save} copy of one), and every
     * axis that differs has an expected size no base parameter has (so it is e.g. {@code r}, not
     * the hidden size).
     *
     * @param path a parameter path of {@link #parameters()}
     * @param expected the parameter's shape
     * @param actual the tensor's shape, of the same rank
     * @return {@code true} to blame {@code adapter_config.json}, {@code false} to blame the base model
     */
    boolean mismatchComesFromConfig(String path, long[] expected, long[] actual) {
        Parameter parameter = Parameters.byName(model.root()).get(path);
        if (parameter == null || baseParameters.contains(parameter) || path.contains(".modules_to_save.")
                || expected.length != actual.length) {
            return false;
        }
        Set<Long> baseSizes = new java.util.HashSet<>();
        for (Parameter base : baseParameters) {
            for (long size : base.getArray().getShape().getShape()) {
                baseSizes.add(size);
            }
        }
        for (int axis = 0; axis < expected.length; axis++) {
            if (expected[axis] != actual[axis] && baseSizes.contains(expected[axis])) {
                return false;
            }
        }
        return true;
    }
}
