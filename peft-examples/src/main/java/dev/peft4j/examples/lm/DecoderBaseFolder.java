package dev.peft4j.examples.lm;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The pre-trained base as an HF model folder: {@value #CONFIG_FILE} (HF's {@code LlamaConfig}
 * keys, {@code architectures: ["LlamaForCausalLM"]}) and {@value #WEIGHTS_FILE} (fp32, HF's
 * {@code LlamaForCausalLM} state-dict keys, {@code model.embed_tokens.weight} ... ; the tied
 * {@code lm_head} owns no tensor, as HF saves tied heads).
 */
public final class DecoderBaseFolder {

    /** HF's configuration file. */
    public static final String CONFIG_FILE = "config.json";
    /** HF's single-file weights. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    private DecoderBaseFolder() {}

    /**
     * The decoder a recipe trains: {@link ByteTokenizer}'s 259 ids, tied embeddings, RMSNorm eps
     * 1e-6, rotary base 10000, no biases, no dropout.
     *
     * @param recipe the sizes
     * @return the configuration
     */
    public static LlamaConfig config(PretrainRecipe recipe) {
        return LlamaConfig.fromJson(null, ByteTokenizer.VOCAB_SIZE, recipe.hiddenSize(), recipe.intermediateSize(),
                recipe.numHiddenLayers(), recipe.numAttentionHeads(), recipe.numKeyValueHeads(), recipe.headDim(), null,
                recipe.seqLen(), 1e-6, 10000.0, null, false, false, 0.0, true, 0.02, ByteTokenizer.BOS,
                List.of(ByteTokenizer.EOS), ByteTokenizer.PAD, null);
    }

    /**
     * @param model a Llama decoder
     * @param config its configuration
     * @param folder an existing folder
     * @throws IOException if writing fails
     */
    public static void save(TransformerModel model, LlamaConfig config, Path folder) throws IOException {
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(folder.resolve(CONFIG_FILE).toFile(), config);
        SafetensorsWriter.write(folder.resolve(WEIGHTS_FILE), Parameters.stateDict(model.root()), Map.of("format", "pt"));
    }

    /**
     * @param folder a folder written by {@link #save}
     * @param parent the manager the model's own manager is created under
     * @return the decoder with its weights
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if the weights do not fit the configuration
     */
    public static TransformerModel load(Path folder, NDManager parent) throws IOException {
        LlamaConfig config = new ObjectMapper().readValue(folder.resolve(CONFIG_FILE).toFile(), LlamaConfig.class);
        Map<String, HostTensor> weights = SafetensorsReader.read(folder.resolve(WEIGHTS_FILE)).tensors();
        TransformerModel model = TransformerModel.llama(config, parent);
        try {
            Parameters.loadStateDict(model.root(), weights, true);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
