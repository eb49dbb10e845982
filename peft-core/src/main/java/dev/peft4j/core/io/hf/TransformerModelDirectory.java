package dev.peft4j.core.io.hf;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.AtomicDirectory;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.BertForSequenceClassification;
import dev.peft4j.core.model.BertModel;
import dev.peft4j.core.model.ModuleTree;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Saves a BERT-family {@link TransformerModel} (as built by {@link TransformerModel#bert} or
 * {@link TransformerModel#pretrainedBert}; e.g. the plain model {@code mergeAndUnload()} returns)
 * as an HF transformers model directory, and loads such a directory back as a model.
 *
 * <p>The directory, written as a whole with {@link AtomicDirectory#write} (a crash leaves the
 * previous directory or the new one; an existing directory is replaced with everything in it):
 * <ul>
 *   <li>{@code model.safetensors}: every parameter as F32 under HF's state-dict name, metadata
 *       {@code {"format": "pt"}}: {@code embeddings.*}, {@code encoder.layer.N.*} for
 *       {@link TaskType#FEATURE_EXTRACTION} (HF {@code BertModel}); {@code bert.embeddings.*},
 *       {@code bert.encoder.layer.N.*} and {@code classifier.weight (num_labels, hidden)},
 *       {@code classifier.bias} for {@link TaskType#SEQ_CLS} (HF {@code BertForSequenceClassification});
 *       linear weights {@code (out, in)}. There is no {@code pooler}: peft4j does not model it;
 *   <li>{@code config.json}: HF's {@code BertConfig} keys as {@link HfBertDirectory} writes them,
 *       {@code architectures} {@code ["BertModel"]} or {@code ["BertForSequenceClassification"]},
 *       and for SEQ_CLS HF's label maps {@code id2label} ({@code {"0": "LABEL_0", ...}}) and
 *       {@code label2id}, which give HF its {@code num_labels}, {@code classifier_dropout: 0.1} and
 *       peft4j's head under {@code peft4j}: {@code {"pooling": "mean"}}. HF's
 *       {@code BertForSequenceClassification} pools the [CLS] token through a pooler this file
 *       lacks (HF initialises it randomly and warns), so only the encoder computes identically there;
 *       {@link #load} rebuilds peft4j's mean-pooling head exactly;
 *   <li>{@code tokenizer.json}: a copy of the given HF tokenizers file, if any.
 * </ul>
 *
 * <p>Only a plain model is saved: a model that still holds adapter blocks (a LoRA layer, a
 * {@code modules_to_save} wrapper, a bottleneck adapter, a prompt encoder) is refused, naming the
 * first module whose block is not the one a plain BERT of the same config has at that path.
 */
public final class TransformerModelDirectory {

    /** {@code architectures} of a bare encoder. */
    public static final String BERT_MODEL = "BertModel";
    /** {@code architectures} of a sequence classifier. */
    public static final String BERT_FOR_SEQUENCE_CLASSIFICATION = "BertForSequenceClassification";

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private TransformerModelDirectory() {}

    /**
     * Saves {@code model} into {@code dir}.
     *
     * @param model a plain BERT-family model (no adapter blocks)
     * @param dir the model directory, created or replaced as a whole
     * @param tokenizerJson an HF {@code tokenizer.json} to copy in, or {@code null} for none
     * @throws IllegalArgumentException before anything is written, if the model is not BERT
     *     ({@code cannot save a 'llama' model as an HF BERT directory}) or still holds an adapter
     *     block ({@code cannot save the model as an HF model directory: module
     *     'bert.encoder.layer.0.attention.self.query' is a LoraLayer where a plain BERT has a Linear;
     *     merge and unload the adapters first (mergeAndUnload)})
     * @throws FileNotFoundException {@code tokenizer file not found: <path>}, before anything is written
     * @throws IOException if writing fails; the previous directory then stays
     */
    public static void save(TransformerModel model, Path dir, Path tokenizerJson) throws IOException {
        BertConfig config = configOf(model);
        requirePlain(model, config);
        if (tokenizerJson != null && !Files.isRegularFile(tokenizerJson)) {
            throw new FileNotFoundException("tokenizer file not found: " + tokenizerJson);
        }
        Map<String, HostTensor> weights = Parameters.stateDict(model.root());
        byte[] configJson = configJson(config, model);
        AtomicDirectory.write(dir, staging -> {
            SafetensorsWriter.write(staging.resolve(HfBertDirectory.MODEL_SAFETENSORS), weights, Map.of("format", "pt"));
            if (tokenizerJson != null) {
                Files.copy(tokenizerJson, staging.resolve(HfBertDirectory.TOKENIZER_JSON));
            }
            Files.write(staging.resolve(HfBertDirectory.CONFIG_JSON), configJson);
        });
    }

    /**
     * Loads a model directory as a model: {@link TaskType#SEQ_CLS} with {@code num_labels} rows
     * when {@code model.safetensors} holds {@code classifier.weight}, else
     * {@link TaskType#FEATURE_EXTRACTION}; {@code pooler.*} tensors are skipped. An interrupted
     * {@link #save} is finished or undone first ({@link AtomicDirectory#recover}).
     *
     * @param dir the model directory (written by {@link #save}, {@link HfBertDirectory#save}, or HF)
     * @param parent the manager under which the model's own manager is created
     * @return the model; the caller closes it
     * @throws IOException as {@link HfBertDirectory#load}
     * @throws ModelFormatException {@code model.safetensors in DIR has classifier.weight but no classifier.bias}
     * @throws IllegalArgumentException if the weights do not fit the config (naming missing or unexpected keys or shapes)
     */
    public static TransformerModel load(Path dir, NDManager parent) throws IOException {
        AtomicDirectory.recover(dir);
        HfBertModel hf = HfBertDirectory.load(dir);
        Map<String, HostTensor> encoder = new LinkedHashMap<>(hf.weights());
        HostTensor weight = encoder.remove("classifier.weight");
        HostTensor bias = encoder.remove("classifier.bias");
        ImportedBert imported = new ImportedBert(hf.config(), encoder, List.of());
        if (weight == null) {
            return TransformerModel.pretrainedBert(imported, TaskType.FEATURE_EXTRACTION, 0, parent);
        }
        if (bias == null) {
            throw new ModelFormatException(HfBertDirectory.MODEL_SAFETENSORS + " in " + dir
                    + " has classifier.weight but no classifier.bias");
        }
        TransformerModel model = TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, Math.toIntExact(weight.shape()[0]), parent);
        try {
            Parameters.loadStateDict(model.module("classifier"), Map.of("weight", weight, "bias", bias), true);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private static BertConfig configOf(TransformerModel model) {
        if (!"bert".equals(model.architecture())) {
            throw new IllegalArgumentException("cannot save a '" + model.architecture() + "' model as an HF BERT directory");
        }
        String encoderPath = model.encoderPrefix().isEmpty() ? "" : model.encoderPrefix().substring(0, model.encoderPrefix().length() - 1);
        if (!(model.module(encoderPath) instanceof BertModel bert)) {
            throw new IllegalArgumentException("cannot save the model as an HF model directory: module '" + encoderPath + "' is a "
                    + model.module(encoderPath).getClass().getSimpleName() + ", not a BertModel");
        }
        return bert.config();
    }

    /** Compares every module with the one a plain model of the same config has at its path (blocks only built, not initialised). */
    private static void requirePlain(TransformerModel model, BertConfig config) {
        Block plainRoot = model.taskType() == TaskType.SEQ_CLS
                ? new BertForSequenceClassification(config, numLabels(model)) : new BertModel(config);
        Map<String, Block> plain = new ModuleTree(plainRoot).modules();
        for (Map.Entry<String, Block> module : model.modules().entrySet()) {
            Block expected = plain.get(module.getKey());
            Class<?> actual = module.getValue().getClass();
            if (expected == null || expected.getClass() != actual) {
                throw new IllegalArgumentException("cannot save the model as an HF model directory: module '" + module.getKey()
                        + "' is a " + actual.getSimpleName()
                        + (expected == null ? ", which a plain BERT does not have" : " where a plain BERT has a "
                                + expected.getClass().getSimpleName())
                        + "; merge and unload the adapters first (mergeAndUnload)");
            }
        }
    }

    /** The head's classes; a root that is no classifier is reported by {@link #requirePlain} (any count serves there). */
    private static int numLabels(TransformerModel model) {
        return model.root() instanceof BertForSequenceClassification classifier ? classifier.numLabels() : 2;
    }

    /** {@link HfBertDirectory}'s config plus the head's keys, sorted. */
    private static byte[] configJson(BertConfig config, TransformerModel model) throws IOException {
        ObjectNode node = (ObjectNode) MAPPER.readTree(HfBertDirectory.configJson(config));
        if (model.taskType() == TaskType.SEQ_CLS) {
            node.putArray("architectures").add(BERT_FOR_SEQUENCE_CLASSIFICATION);
            ObjectNode id2label = node.putObject("id2label");
            ObjectNode label2id = node.putObject("label2id");
            for (int i = 0; i < numLabels(model); i++) {
                id2label.put(Integer.toString(i), "LABEL_" + i);
                label2id.put("LABEL_" + i, i);
            }
            node.put("classifier_dropout", BertForSequenceClassification.CLASSIFIER_DROPOUT);
            node.putObject("peft4j").put("pooling", "mean");
        } else {
            node.putArray("architectures").add(BERT_MODEL);
        }
        Map<String, JsonNode> sorted = new TreeMap<>();
        node.properties().forEach(field -> sorted.put(field.getKey(), field.getValue()));
        return (MAPPER.writeValueAsString(sorted) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
