package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.TextEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HF PEFT's {@code PeftModel.from_pretrained}: reads an adapter folder, adapts the base model with
 * its config and places every saved tensor, checking that the checkpoint and the model agree.
 *
 * <p>Tensors are placed by key: {@code base_model.model.<path>} is the parameter whose key
 * {@link PeftModel#adapterWeights()} would write, so the adapter name goes back where the adapter
 * put it; a key that names no parameter goes to the method's
 * {@link dev.peft4j.core.spi.PeftMethod#loadCheckpointTensor} hook ({@code prompt_embeddings}). A key without the model's encoder root is tried with it ({@code bert.} for a
 * {@code SEQ_CLS} model reading a {@code FEATURE_EXTRACTION} checkpoint's keys, and the reverse).
 *
 * <p>Errors point at the cause: a config that is not JSON gets the parser's reason and position; a
 * {@code task_type} other than the model's is rejected (HF PEFT's task types; a missing one is
 * accepted); targeting errors and a shape that disagrees with a size the config sets (e.g. LoRA's
 * {@code r}, a prompt table's {@code num_virtual_tokens} or the other virtual-token method's width)
 * name {@code adapter_config.json}; an unknown key lists the file's keys and the adapter's.
 */
final class AdapterLoader {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterLoader.class);

    /** Reads single fields of an already validated config for error messages. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AdapterLoader() {}

    static PeftModel load(PeftRuntime runtime, TransformerModel base, Path folder, String adapterName, boolean trainable,
            TextEncoder textEncoder) throws IOException {
        AdapterCheckpoint.Contents contents;
        PeftConfig config;
        try {
            contents = AdapterCheckpoint.read(folder);
            config = readChecked(runtime, contents, base);
        } catch (IOException | RuntimeException e) {
            base.close();
            throw e;
        }
        PeftModel peft = null;
        try {
            var context = new InjectionContext(base, adapterName, ConfigOrigin.CHECKPOINT, textEncoder);
            peft = namingFile(contents, () -> PeftModel.adapt(base, runtime.createMethod(config), context, runtime, trainable));
            place(peft, peft.adapters().get(adapterName), contents, runtime.registry().byConfigType(config.getClass()).peftType());
            if (!trainable) {
                base.root().freezeParameters(true);
            }
            return peft;
        } catch (IOException | RuntimeException e) {
            if (peft != null) {
                peft.close();
            } else {
                base.close();
            }
            throw e;
        }
    }

    /**
     * Loads an adapter folder into a model that already holds adapters (HF's {@code load_adapter});
     * on failure the partly added adapter is deleted and the model is as before.
     */
    static void loadInto(PeftRuntime runtime, PeftModel peft, Path folder, String adapterName, boolean trainable)
            throws IOException {
        TransformerModel base = peft.baseModel();
        AdapterCheckpoint.Contents contents = AdapterCheckpoint.read(folder);
        PeftConfig config = readChecked(runtime, contents, base);
        TextEncoder textEncoder = peft.adapters().all().isEmpty() ? null : peft.adapters().all().getFirst().context().textEncoder();
        var context = new InjectionContext(base, adapterName, ConfigOrigin.CHECKPOINT, textEncoder);
        int numLabels = savedNumLabels(contents, base);
        AdapterSet.Adapter adapter = namingFile(contents,
                () -> peft.adapters().add(runtime.createMethod(config), context, trainable, numLabels));
        try {
            place(peft, adapter, contents, runtime.registry().byConfigType(config.getClass()).peftType());
            peft.adapters().applyTrainability();
        } catch (IOException | RuntimeException e) {
            peft.adapters().delete(adapterName);
            throw e;
        }
    }

    /** The classes of a SEQ_CLS checkpoint's classifier ({@code base_model.model.classifier.weight}), 0 if none. */
    private static int savedNumLabels(AdapterCheckpoint.Contents contents, TransformerModel base) {
        HostTensor head = contents.weights().tensors().get(AdapterKeys.PREFIX + PeftModel.CLASSIFIER + ".weight");
        return base.taskType() == TaskType.SEQ_CLS && head != null && head.shape().length == 2 ? Math.toIntExact(head.shape()[0]) : 0;
    }

    /** The config, after checking the task type; warns about an HF SEQ_CLS head. */
    private static PeftConfig readChecked(PeftRuntime runtime, AdapterCheckpoint.Contents contents, TransformerModel base) {
        PeftConfig config = readConfig(runtime, contents);
        requireMatchingTaskType(runtime, contents, base);
        warnAboutHfHead(runtime, contents, base);
        return config;
    }

    /** Injects the adapter; a config error raised on this model (target_modules, layers_to_transform) names the file. */
    private static <T> T namingFile(AdapterCheckpoint.Contents contents, java.util.function.Supplier<T> inject) {
        try {
            return inject.get();
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(configFile(contents) + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile(contents) + ": " + e.getMessage(), e);
        }
    }

    private static PeftConfig readConfig(PeftRuntime runtime, AdapterCheckpoint.Contents contents) {
        requireValidJson(runtime, contents);
        try {
            return runtime.readHfConfig(contents.configJson());
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(configFile(contents) + ": " + e.getMessage(), e);
        }
    }

    /** Rejects a file that is not JSON with the parser's reason and position, without its internals. */
    private static void requireValidJson(PeftRuntime runtime, AdapterCheckpoint.Contents contents) {
        try {
            runtime.configs().mapper().readTree(contents.configJson());
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().lines().findFirst().orElse("")
                    .replaceAll("\\s*\\((start marker|through reference chain)[^)]*\\[Source:.*$", "")
                    .replaceAll("\\s*at \\[Source:.*$", "");
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidConfigException(AdapterCheckpoint.CONFIG_FILE + " in " + contents.folder() + " is not valid JSON: "
                    + reason + where, e);
        }
    }

    /**
     * HF PEFT's {@code task_type} decides the head the adapter was trained with; one that disagrees
     * with the model's {@link TaskType} would load and predict with the wrong head. A missing or
     * {@code null} task_type (minimal HF configs) is accepted.
     */
    private static void requireMatchingTaskType(PeftRuntime runtime, AdapterCheckpoint.Contents contents, TransformerModel base) {
        JsonNode task = AdapterConfigJson.field(runtime.configs().mapper(), contents.configJson(), "task_type");
        if (task == null || task.isNull()) {
            return;
        }
        if (!task.isTextual() || !task.asText().equals(base.taskType().name())) {
            throw new InvalidConfigException(configFile(contents) + ": task_type " + task + " does not match the model's task type "
                    + base.taskType() + "; load it onto a " + (task.isTextual() ? task.asText() : task.toString())
                    + " model or use an adapter trained for " + base.taskType());
        }
    }

    private static Path configFile(AdapterCheckpoint.Contents contents) {
        return contents.folder().resolve(AdapterCheckpoint.CONFIG_FILE);
    }

    private static void warnAboutHfHead(PeftRuntime runtime, AdapterCheckpoint.Contents contents, TransformerModel base) {
        JsonNode task = AdapterConfigJson.field(runtime.configs().mapper(), contents.configJson(), "task_type");
        boolean seqCls = task != null && TaskType.SEQ_CLS.name().equals(task.asText());
        if (seqCls && base.taskType() == TaskType.SEQ_CLS
                && !AdapterConfigJson.writtenByPeft4j(runtime.configs().mapper(), contents.configJson())) {
            LOG.warn("{}: an HF PEFT SEQ_CLS adapter; HF's BertForSequenceClassification feeds the classifier the [CLS] "
                    + "pooler output, peft4j mean-pools the tokens, so the head's logits differ from HF's", contents.folder());
        }
    }

    private static void place(PeftModel peft, AdapterSet.Adapter adapter, AdapterCheckpoint.Contents contents, String peftType)
            throws ModelFormatException {
        Map<String, HostTensor> tensors = contents.weights().tensors();
        Path file = contents.folder().resolve(AdapterCheckpoint.WEIGHTS_FILE);
        TransformerModel model = peft.baseModel();
        boolean promptEmbeddings = tensors.containsKey(AdapterKeys.PROMPT_EMBEDDINGS);
        Map<String, String> keys = adapter.index().checkpointKeys(!promptEmbeddings);
        Map<String, Parameter> parameters = adapter.index().parameters();
        Set<String> placed = new HashSet<>();
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            String key = entry.getKey();
            HostTensor tensor = entry.getValue();
            String resolved = resolveKey(key, keys, model.encoderPrefix());
            if (resolved == null) {
                if (placeByMethod(peft, adapter, key, tensor, file, contents, peftType)) {
                    placed.add(key);
                    continue;
                }
                throw new ModelFormatException(file + ": tensor '" + key + "' maps to no parameter of the adapted model ("
                        + describe(peft, adapter, peftType) + "); the file holds " + sample(tensors.keySet(), false) + "; the " + peftType
                        + " adapter expects " + sample(keys.keySet(), !model.promptEncoders().isEmpty())
                        + (disjoint(tensors.keySet(), keys, model)
                                ? "; none of the file's tensors is one of them: the weights do not belong to "
                                        + configFile(contents) + "'s method (" + peftType + ")"
                                : ""));
            }
            String path = keys.get(resolved);
            Parameter parameter = parameters.get(path);
            long[] expected = parameter.getArray().getShape().getShape();
            if (!Arrays.equals(expected, tensor.shape())) {
                throw new ModelFormatException(file + ": tensor '" + key + "' has shape " + Arrays.toString(tensor.shape())
                        + ", the model's parameter '" + path + "' has " + Arrays.toString(expected)
                        + (adapter.index().mismatchComesFromConfig(path, expected, tensor.shape())
                                ? "; the weights do not match " + configFile(contents) + " (a size it sets, such as r, differs)"
                                : headMismatch(path, expected, tensor.shape())
                                        ? "; the adapter's head has " + tensor.shape()[0] + " labels, this model's has " + expected[0]
                                                + " (every adapter of a model shares num_labels): load it onto a model built with"
                                                + " num_labels " + tensor.shape()[0]
                                        : "; was the adapter trained on another base model?"));
            }
            parameter.getArray().set(tensor.values());
            placed.add(resolved);
        }
        Set<String> promptKeys = new HashSet<>(keys.keySet());
        promptKeys.removeAll(adapter.index().checkpointKeys(false).keySet());
        List<String> missing = keys.keySet().stream().filter(key -> !placed.contains(key)).toList();
        if (!promptKeys.isEmpty() && promptKeys.stream().noneMatch(placed::contains)) {
            missing = List.of(AdapterKeys.PROMPT_EMBEDDINGS);
        }
        if (!missing.isEmpty()) {
            String key = missing.get(0);
            String what = keys.containsKey(key)
                    ? " for parameter '" + keys.get(key) + "' " + Arrays.toString(parameters.get(keys.get(key)).getArray().getShape().getShape())
                    : " for the prompt encoder";
            throw new ModelFormatException(file + ": missing tensor '" + key + "'" + what
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""));
        }
    }

    /** Whether a classifier copy differs only in its label count (the first axis). */
    private static boolean headMismatch(String path, long[] expected, long[] actual) {
        boolean head = path.startsWith(PeftModel.CLASSIFIER + ".modules_to_save.");
        return head && expected.length == actual.length && expected[0] != actual[0]
                && Arrays.equals(Arrays.copyOfRange(expected, 1, expected.length), Arrays.copyOfRange(actual, 1, actual.length));
    }

    private static boolean placeByMethod(PeftModel peft, AdapterSet.Adapter adapter, String key, HostTensor tensor, Path file,
            AdapterCheckpoint.Contents contents, String peftType) throws ModelFormatException {
        try (NDManager scope = peft.baseModel().manager().newSubManager()) {
            NDArray value = scope.create(tensor.values(), new Shape(tensor.shape()));
            return adapter.method().loadCheckpointTensor(adapter.context(), key, value);
        } catch (IllegalArgumentException e) {
            String configMismatch = promptConfigMismatch(peft.baseModel(), tensor, contents, peftType);
            String message = configMismatch == null ? e.getMessage()
                    : e.getMessage().replace("; was the adapter trained on another base model?", "") + "; " + configMismatch;
            throw new ModelFormatException(file + ": " + message, e);
        }
    }

    /**
     * Why a {@code prompt_embeddings} tensor that the method rejected does not fit the config rather
     * than the base model: its rows are not the config's {@code num_virtual_tokens}, or its width is
     * the other virtual-token method's (prompt tuning: the hidden size; prefix tuning:
     * {@code num_layers * 2 * hidden}); {@code null} when neither holds.
     */
    private static String promptConfigMismatch(TransformerModel model, HostTensor tensor, AdapterCheckpoint.Contents contents,
            String peftType) {
        if (tensor.shape().length != 2) {
            return null;
        }
        String prefix = "the weights do not match " + configFile(contents);
        JsonNode tokens = AdapterConfigJson.field(MAPPER, contents.configJson(),
                "num_virtual_tokens");
        if (tokens != null && tokens.canConvertToLong() && tokens.asLong() != tensor.shape()[0]) {
            return prefix + " (num_virtual_tokens " + tokens.asLong() + ", the tensor has " + tensor.shape()[0] + " rows)";
        }
        long width = tensor.shape()[1];
        long prefixWidth = 2L * model.numLayers() * model.hiddenSize();
        if ("PREFIX_TUNING".equals(peftType) && width == model.hiddenSize()) {
            return prefix + " (peft_type " + peftType + "; the tensor has prompt tuning's width, the hidden size "
                    + width + ")";
        }
        if ("PROMPT_TUNING".equals(peftType) && width == prefixWidth) {
            return prefix + " (peft_type " + peftType + "; the tensor has prefix tuning's width, num_layers * 2 * hidden = "
                    + width + ")";
        }
        return null;
    }

    /** The adapter key for a checkpoint key, trying the other encoder root; {@code null} if none. */
    private static String resolveKey(String key, Map<String, String> keys, String encoderPrefix) {
        if (keys.containsKey(key) || !key.startsWith(AdapterKeys.PREFIX) || encoderPrefix.isEmpty()) {
            return keys.containsKey(key) ? key : null;
        }
        String path = key.substring(AdapterKeys.PREFIX.length());
        String other = path.startsWith(encoderPrefix)
                ? AdapterKeys.PREFIX + path.substring(encoderPrefix.length())
                : AdapterKeys.PREFIX + encoderPrefix + path;
        return keys.containsKey(other) ? other : null;
    }

    private static String describe(PeftModel peft, AdapterSet.Adapter adapter, String peftType) {
        TransformerModel model = peft.baseModel();
        return peftType + " adapter '" + adapter.name() + "' on " + model.architecture() + " " + model.taskType()
                + " with " + model.numLayers() + " layers, hidden " + model.hiddenSize();
    }

    /** Whether no checkpoint key names an adapter parameter (a prompt_embeddings tensor is placed by the method). */
    private static boolean disjoint(Set<String> fileKeys, Map<String, String> keys, TransformerModel model) {
        return fileKeys.stream().noneMatch(key -> resolveKey(key, keys, model.encoderPrefix()) != null
                || (key.equals(AdapterKeys.PROMPT_EMBEDDINGS) && !model.promptEncoders().isEmpty()));
    }

    private static String sample(Set<String> keys, boolean plusPromptEmbeddings) {
        List<String> sorted = keys.stream().sorted().toList();
        String plus = plusPromptEmbeddings ? " (plus prompt_embeddings)" : "";
        return (sorted.size() <= 4 ? sorted.toString()
                : sorted.subList(0, 4).toString().replace("]", ", ... (" + sorted.size() + " in all)]")) + plus;
    }
}
