package dev.peft4j.examples.lm;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.hf.HfDecoderDirectory;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The pre-trained base as an HF model folder, written and read by IO's {@link HfDecoderDirectory}:
 * {@value #CONFIG_FILE} (HF's {@code LlamaConfig} keys) and {@value #WEIGHTS_FILE} (fp32, HF's
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
     * Writes the decoder with IO's {@link HfDecoderDirectory#save} (HF's key layout, readable by
     * {@code AutoModelForCausalLM.from_pretrained}).
     *
     * @param model a plain Llama decoder
     * @param folder the folder to fill (it is replaced as a whole)
     * @throws IOException if writing fails
     */
    public static void save(TransformerModel model, Path folder) throws IOException {
        HfDecoderDirectory.save(model, folder);
    }

    /**
     * @param folder a folder written by {@link #save}
     * @param parent the manager the model's own manager is created under
     * @return the decoder with its weights ({@link HfDecoderDirectory#load}: names, dtypes and shapes checked)
     * @throws IOException if a file cannot be read or does not fit the configuration
     */
    public static TransformerModel load(Path folder, NDManager parent) throws IOException {
        return HfDecoderDirectory.load(folder, parent);
    }
}
