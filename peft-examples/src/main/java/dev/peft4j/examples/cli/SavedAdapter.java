package dev.peft4j.examples.cli;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sequence-classification adapter folder as {@code peft eval} and {@code peft predict} use it:
 * checked before the base model is loaded (a damaged or foreign folder fails in milliseconds), then
 * loaded for inference onto a pretrained encoder with a head of the saved width.
 */
final class SavedAdapter {

    static final String CLASSIFIER_KEY = "base_model.model.classifier.weight";

    private final PeftRuntime runtime;
    private final Path folder;
    private final int numLabels;
    private final String configJson;

    private SavedAdapter(PeftRuntime runtime, Path folder, int numLabels, String configJson) {
        this.runtime = runtime;
        this.folder = folder;
        this.numLabels = numLabels;
        this.configJson = configJson;
    }

    /**
     * Reads and checks the folder: both files present and intact, the config valid for an
     * installed method, a classifier head saved.
     *
     * @param runtime the installed methods
     * @param folder the adapter folder
     * @return the checked adapter
     * @throws IOException if a file is missing or damaged (the message names it)
     * @throws InvalidConfigException if the config is invalid, prefixed with the file
     * @throws IllegalArgumentException if the path is empty or a file, or the adapter has no classifier head
     */
    static SavedAdapter open(PeftRuntime runtime, Path folder) throws IOException {
        if (folder.toString().isBlank()) {
            throw new IllegalArgumentException("--adapter must name the adapter folder, got an empty path");
        }
        if (Files.isRegularFile(folder)) {
            throw new IllegalArgumentException("--adapter " + folder + " is a file, not a folder; give the folder holding "
                    + AdapterCheckpoint.CONFIG_FILE + " and " + AdapterCheckpoint.WEIGHTS_FILE);
        }
        AdapterCheckpoint.Contents contents = AdapterCheckpoint.read(folder);
        try {
            runtime.readHfConfig(contents.configJson());
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(folder.resolve(AdapterCheckpoint.CONFIG_FILE) + ": " + e.getMessage(), e);
        }
        HostTensor head = contents.weights().tensors().get(CLASSIFIER_KEY);
        if (head == null || head.shape().length != 2) {
            throw new IllegalArgumentException(folder + " holds no sequence-classification adapter: "
                    + AdapterCheckpoint.WEIGHTS_FILE + " has no 2-D '" + CLASSIFIER_KEY + "' (train one with 'peft train')");
        }
        return new SavedAdapter(runtime, folder, Math.toIntExact(head.shape()[0]), contents.configJson());
    }

    /**
     * Whether this adapter's method serves mixed-adapter batches, decided from its config alone
     * (before any model is loaded), as {@code PeftModel.forward(batch, adapterNames)} would.
     *
     * @param name the adapter's name, for the message
     * @return why it cannot, e.g. {@code adapter 'a': peft_type FULL cannot serve mixed-adapter batches (adapter_names): ...}
     *     or {@code adapter 'd' cannot serve rows of a mixed-adapter batch: it uses DoRA ...}, or empty if it can
     */
    java.util.Optional<String> mixedBatchRefusal(String name) {
        PeftConfig config = runtime.readHfConfig(configJson);
        String peftType;
        try {
            peftType = runtime.objectMapper().readTree(configJson).path("peft_type").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("adapter config of " + folder + " was read once but not twice", e);
        }
        PeftMethod method = create(runtime.provider(peftType), config);
        if (!method.routesMixedBatches()) {
            return java.util.Optional.of("adapter '" + name + "': peft_type " + peftType + " cannot serve mixed-adapter batches (adapter_names): its "
                    + "layers do not route batch rows to adapters; HF PEFT supports adapter_names for LoRA adapters");
        }
        return method.mixedBatchRefusal().map(reason -> "adapter '" + name + "' cannot serve rows of a mixed-adapter batch: "
                + reason);
    }

    private static <C extends PeftConfig> PeftMethod create(PeftMethodProvider<C> provider, PeftConfig config) {
        return provider.create(provider.configType().cast(config));
    }

    /** @return the folder */
    Path folder() {
        return folder;
    }

    /** @return the dataset recorded by {@code peft train} ({@link AdapterLabels}), polarity if none */
    dev.peft4j.examples.data.PatternDataset dataset() {
        return AdapterLabels.dataset(runtime.objectMapper(), configJson);
    }

    /**
     * @return the class names recorded by {@code peft train}; else Rotten Tomatoes' for a 2-class
     *     head, {@code LABEL_i} otherwise (HF's default {@code id2label})
     */
    java.util.List<String> labelNames() {
        java.util.List<String> recorded = AdapterLabels.labelNames(runtime.objectMapper(), configJson).orElse(null);
        if (recorded != null && recorded.size() == numLabels) {
            return recorded;
        }
        return numLabels == dev.peft4j.examples.data.RottenTomatoes.labelNames().size()
                ? dev.peft4j.examples.data.RottenTomatoes.labelNames()
                : java.util.stream.IntStream.range(0, numLabels).mapToObj(i -> "LABEL_" + i).toList();
    }

    /**
     * Loads this adapter as another adapter of {@code peft} (same base model), for inference.
     *
     * @param peft a model with a head of {@link #numLabels()} classes
     * @param name the adapter's name there
     * @throws IOException as {@link PeftModel#loadAdapter(Path, String)}
     */
    void loadInto(PeftModel peft, String name) throws IOException {
        peft.loadAdapter(folder, name);
    }

    /** @return the number of classes of the saved head */
    int numLabels() {
        return numLabels;
    }

    /**
     * @param imported the pretrained encoder the adapter was trained on
     * @param tokenizer its tokenizer
     * @param manager the parent manager of the model
     * @return the adapted model, for inference
     * @throws IOException if the checkpoint does not fit the base model (the key and both shapes)
     */
    PeftModel load(ImportedBert imported, SentenceTokenizer tokenizer, NDManager manager) throws IOException {
        TransformerModel model = TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, numLabels, manager);
        return runtime.fromPretrained(model, folder, InjectionContext.DEFAULT_ADAPTER, false, tokenizer);
    }
}
