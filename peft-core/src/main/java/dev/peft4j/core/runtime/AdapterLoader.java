package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
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
 * {@code SEQ_CLS} model reading a {@code FEATURE_EXTRACTION} checkpoint, and the reverse).
 */
final class AdapterLoader {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterLoader.class);

    private AdapterLoader() {}

    static PeftModel load(PeftRuntime runtime, TransformerModel base, Path folder, String adapterName, boolean trainable,
            TextEncoder textEncoder) throws IOException {
        AdapterCheckpoint.Contents contents;
        PeftConfig config;
        try {
            contents = AdapterCheckpoint.read(folder);
            config = readConfig(runtime, contents);
        } catch (IOException | RuntimeException e) {
            base.close();
            throw e;
        }
        warnAboutHfHead(runtime, contents, base);
        PeftModel peft = null;
        try {
            var context = new InjectionContext(base, adapterName, ConfigOrigin.CHECKPOINT, textEncoder);
            peft = PeftModel.adapt(base, runtime.createMethod(config), context, runtime.configs());
            place(peft, contents, runtime.registry().byConfigType(config.getClass()).peftType());
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

    private static PeftConfig readConfig(PeftRuntime runtime, AdapterCheckpoint.Contents contents) {
        try {
            return runtime.readHfConfig(contents.configJson());
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(contents.folder().resolve(AdapterCheckpoint.CONFIG_FILE) + ": " + e.getMessage(), e);
        }
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

    private static void place(PeftModel peft, AdapterCheckpoint.Contents contents, String peftType) throws ModelFormatException {
        Map<String, HostTensor> tensors = contents.weights().tensors();
        Path file = contents.folder().resolve(AdapterCheckpoint.WEIGHTS_FILE);
        TransformerModel model = peft.baseModel();
        boolean promptEmbeddings = tensors.containsKey(AdapterKeys.PROMPT_EMBEDDINGS);
        Map<String, String> keys = peft.index().checkpointKeys(!promptEmbeddings);
        Map<String, Parameter> parameters = peft.index().parameters();
        Set<String> placed = new HashSet<>();
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            String key = entry.getKey();
            HostTensor tensor = entry.getValue();
            String resolved = resolveKey(key, keys, model.encoderPrefix());
            if (resolved == null) {
                if (placeByMethod(peft, key, tensor, file)) {
                    placed.add(key);
                    continue;
                }
                throw new ModelFormatException(file + ": tensor '" + key + "' maps to no parameter of the adapted model ("
                        + describe(peft, peftType) + "); the adapter's keys are " + sample(keys.keySet()));
            }
            String path = keys.get(resolved);
            Parameter parameter = parameters.get(path);
            long[] expected = parameter.getArray().getShape().getShape();
            if (!Arrays.equals(expected, tensor.shape())) {
                throw new ModelFormatException(file + ": tensor '" + key + "' has shape " + Arrays.toString(tensor.shape())
                        + ", the model's parameter '" + path + "' has " + Arrays.toString(expected)
                        + "; was the adapter trained on another base model?");
            }
            parameter.getArray().set(tensor.values());
            placed.add(resolved);
        }
        Set<String> promptKeys = new HashSet<>(keys.keySet());
        promptKeys.removeAll(peft.index().checkpointKeys(false).keySet());
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

    private static boolean placeByMethod(PeftModel peft, String key, HostTensor tensor, Path file) throws ModelFormatException {
        try (NDManager scope = peft.baseModel().manager().newSubManager()) {
            NDArray value = scope.create(tensor.values(), new Shape(tensor.shape()));
            return peft.method().loadCheckpointTensor(peft.context(), key, value);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
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

    private static String describe(PeftModel peft, String peftType) {
        TransformerModel model = peft.baseModel();
        return peftType + " adapter '" + peft.adapterName() + "' on " + model.architecture() + " " + model.taskType()
                + " with " + model.numLayers() + " layers, hidden " + model.hiddenSize();
    }

    private static String sample(Set<String> keys) {
        List<String> sorted = keys.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return "[] (plus prompt_embeddings)";
        }
        return sorted.size() <= 4 ? sorted.toString()
                : sorted.subList(0, 4).toString().replace("]", ", ... (" + sorted.size() + " in all)]");
    }
}
