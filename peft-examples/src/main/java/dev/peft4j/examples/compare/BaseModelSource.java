package dev.peft4j.examples.compare;

import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.hf.HfBertDirectory;
import dev.peft4j.core.io.hf.HfBertModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.SentenceTokenizer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The recipe's {@code model}: a bundled encoder by name ({@code all-minilm-l6-v2}) or an HF BERT
 * model directory ({@link HfBertDirectory}: {@code config.json}, {@code model.safetensors} and
 * {@code tokenizer.json}).
 *
 * @param name the recipe's value
 * @param weights the encoder's configuration and fp32 weights under HF names
 * @param tokenizerFile the directory's {@code tokenizer.json}, or {@code null} for a bundled model
 * @param bundled the bundled model, or {@code null} for a directory
 */
public record BaseModelSource(String name, ImportedBert weights, Path tokenizerFile, BundledModel bundled) {

    /**
     * @param model a bundled model name, or the path of an HF model directory
     * @return the loaded weights
     * @throws IllegalArgumentException {@code model 'x' is neither a bundled model ([all-minilm-l6-v2, ...]) nor a folder}
     * @throws FileNotFoundException if the directory lacks {@code tokenizer.json} (or its config or weights)
     * @throws IOException if reading fails
     */
    public static BaseModelSource load(String model) throws IOException {
        Path dir = Path.of(model);
        if (Files.isDirectory(dir)) {
            HfBertModel loaded = HfBertDirectory.load(dir);
            Path tokenizer = loaded.tokenizerJson().orElseThrow(() -> new FileNotFoundException(
                    "HF model directory " + dir + " has no " + HfBertDirectory.TOKENIZER_JSON + "; peft compare needs its tokenizer"));
            return new BaseModelSource(model, new ImportedBert(loaded.config(), loaded.weights(), List.of()), tokenizer, null);
        }
        BundledModel bundled;
        try {
            bundled = BundledModel.byName(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + model + "' is neither a bundled model nor an HF model folder; "
                    + e.getMessage().substring(e.getMessage().indexOf("known:")), e);
        }
        return new BaseModelSource(bundled.modelName(), bundled.importWeights(), null, bundled);
    }

    /**
     * @param maxLength the recipe's {@code max_length}, tokens
     * @throws IllegalArgumentException {@code max_length must be <= 512 (all-minilm-l6-v2's max_position_embeddings), got 1000}
     */
    public void requireMaxLength(int maxLength) {
        int limit = weights.config().maxPositionEmbeddings();
        if (maxLength > limit) {
            throw new IllegalArgumentException("max_length must be <= " + limit + " (" + name + "'s max_position_embeddings), got "
                    + maxLength);
        }
    }

    /**
     * @param maxLength the recipe's {@code max_length}, tokens
     * @return the model's tokenizer, truncating there
     * @throws IllegalArgumentException {@code max_length must be <= 512 (the model's max_position_embeddings), got 1000}
     * @throws IOException if it cannot be read
     */
    public SentenceTokenizer tokenizer(int maxLength) throws IOException {
        requireMaxLength(maxLength);
        return bundled != null ? bundled.tokenizer(maxLength) : SentenceTokenizer.load(tokenizerFile, maxLength);
    }
}
