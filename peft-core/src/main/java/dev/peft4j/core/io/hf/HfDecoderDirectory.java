package dev.peft4j.core.io.hf;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.AtomicDirectory;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsEntry;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.ModuleTree;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an HF transformers decoder model directory as a {@link TaskType#CAUSAL_LM}
 * {@link TransformerModel}, and saves one in HF's layout (so a pre-trained base model can be cached
 * and read back, by peft4j or by {@code AutoModelForCausalLM.from_pretrained(dir)}).
 *
 * <p>A directory holds {@code config.json} ({@link HfDecoderConfig}: {@code model_type} {@code llama}
 * or {@code gpt2}), the weights as {@code model.safetensors} or as shards with
 * {@code model.safetensors.index.json} ({@link HfWeightFiles}; F16 and BF16 widened to fp32 in Java),
 * and optionally {@code tokenizer.json} ({@link DecoderTokenizer}). Tensor names are mapped as HF's
 * {@code from_pretrained} maps them ({@link DecoderKeyLayout}: the bare {@code GPT2Model} /
 * {@code LlamaModel} layouts, legacy buffers, tied heads). Every parameter of the model the config
 * describes must be in the files, with its shape, and nothing else may be (non-float buffers such
 * as {@code position_ids} aside). Names, dtypes and shapes are checked from the file headers before
 * any data is read; then the tensors are copied into the model one at a time from the mapped files
 * ({@link HfCheckpointFiles}), so loading holds at most one tensor on the Java heap.
 *
 * <p>{@link #save} writes {@code config.json} and {@code model.safetensors} (F32, HF state-dict
 * names from the {@code *ForCausalLM} root, no {@code lm_head.weight} when the head is tied, as HF's
 * {@code save_pretrained} writes them; metadata {@code {"format": "pt"}}) as one atomic directory
 * ({@link AtomicDirectory}).
 */
public final class HfDecoderDirectory {

    /** The optional tokenizer file name. */
    public static final String TOKENIZER_JSON = "tokenizer.json";

    private static final String FLOAT_DTYPES = "[BF16, F16, F32]";

    private static final Logger LOG = LoggerFactory.getLogger(HfDecoderDirectory.class);

    private HfDecoderDirectory() {}

    /**
     * Loads a decoder model directory. An interrupted {@link #save} is finished or undone first
     * ({@link AtomicDirectory#recover}).
     *
     * @param dir the model directory
     * @param parent the manager under which the model's own manager is created
     * @return the model with the directory's weights, {@link TaskType#CAUSAL_LM}; the caller closes it
     * @throws FileNotFoundException {@code model directory not found: <dir>}, a missing
     *     {@code config.json} ({@link HfDecoderConfig#read}), weights or shard ({@link HfCheckpointFiles#open})
     * @throws ModelFormatException for a bad {@code config.json} (an unknown {@code model_type}:
     *     {@code config.json in <dir> has model_type 'mistral'; supported: [gpt2, llama]}), an
     *     inconsistent shard index ({@link HfCheckpointFiles#open}), a name given twice
     *     ({@link DecoderKeyLayout#normalise}), or weights that do not fit the config:
     *     {@code HF model directory <dir> lacks 1 tensor the llama model of its config.json needs:
     *     [model.norm.weight]}; {@code HF model directory <dir> holds 1 tensor the llama model of its
     *     config.json does not have: [model.layers.2.mlp.up_proj.weight (model.safetensors)]};
     *     {@code tensor 'model.layers.0.self_attn.q_proj.weight' in model.safetensors of <dir> has shape
     *     [8, 16]; the llama model of its config.json expects [16, 16]}; {@code tensor 'model.norm.weight'
     *     in model.safetensors of <dir> has dtype I64; parameters are read from [BF16, F16, F32]}
     *     (non-float tensors that are no parameter, such as {@code position_ids}, are skipped)
     * @throws IOException if reading fails
     */
    public static TransformerModel load(Path dir, NDManager parent) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException("model directory not found: " + dir);
        }
        AtomicDirectory.recover(dir);
        HfDecoderConfig config = HfDecoderConfig.read(dir);
        try (HfCheckpointFiles files = HfCheckpointFiles.open(dir)) {
            DecoderKeyLayout.Normalised normalised = config.keyLayout().normalise(files.sourceFiles(), config.tiedHead(), dir);
            normalised.ignored().forEach(name -> LOG.debug("{}: ignoring {}", dir, name));
            TransformerModel model = config.newModel(parent);
            try {
                Map<String, Parameter> parameters = Parameters.byName(model.root());
                checkFits(files, config, normalised, parameters);
                for (Map.Entry<String, String> tensor : normalised.fileNames().entrySet()) {
                    if (parameters.containsKey(tensor.getKey())) {
                        parameters.get(tensor.getKey()).getArray().set(files.readFloat(tensor.getValue()).values());
                    } else {
                        LOG.debug("{}: skipping non-float tensor {}", dir, tensor.getValue());
                    }
                }
                return model;
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    /** Names and shapes, from the headers alone: every parameter given, nothing else, each with its shape. */
    private static void checkFits(HfCheckpointFiles files, HfDecoderConfig config, DecoderKeyLayout.Normalised normalised,
            Map<String, Parameter> parameters) throws ModelFormatException {
        Path dir = files.dir();
        String model = "the " + config.modelType() + " model of its " + HfDecoderConfig.CONFIG_JSON;
        Map<String, String> given = normalised.fileNames();
        List<String> missing = parameters.keySet().stream().filter(name -> !given.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new ModelFormatException("HF model directory " + dir + " lacks " + count(missing.size()) + " " + model
                    + " needs: " + missing);
        }
        List<String> unexpected = given.keySet().stream().filter(name -> !parameters.containsKey(name))
                .filter(name -> files.entries().get(given.get(name)).dtype().isReadableAsFloat())
                .map(name -> given.get(name) + " (" + normalised.sourceFiles().get(name) + ")").toList();
        if (!unexpected.isEmpty()) {
            throw new ModelFormatException("HF model directory " + dir + " holds " + count(unexpected.size()) + " " + model
                    + " does not have: " + unexpected);
        }
        for (Map.Entry<String, String> tensor : given.entrySet()) {
            Parameter parameter = parameters.get(tensor.getKey());
            if (parameter == null) {
                continue;
            }
            SafetensorsEntry entry = files.entries().get(tensor.getValue());
            if (!entry.dtype().isReadableAsFloat()) {
                throw new ModelFormatException("tensor '" + tensor.getValue() + "' in " + normalised.sourceFiles().get(tensor.getKey())
                        + " of " + dir + " has dtype " + entry.dtype() + "; parameters are read from " + FLOAT_DTYPES);
            }
            long[] expected = parameter.getShape().getShape();
            long[] actual = entry.shape();
            if (!Arrays.equals(expected, actual)) {
                throw new ModelFormatException("tensor '" + tensor.getValue() + "' in " + normalised.sourceFiles().get(tensor.getKey())
                        + " of " + dir + " has shape " + Arrays.toString(actual) + "; " + model
                        + " expects " + Arrays.toString(expected));
            }
        }
    }

    private static String count(int n) {
        return n + (n == 1 ? " tensor" : " tensors");
    }

    /**
     * @param dir an HF model directory
     * @return its {@code tokenizer.json}, if present; the caller closes it
     * @throws ModelFormatException if the file is not a tokenizer the HF tokenizers library reads
     * @throws IOException if reading fails
     */
    public static Optional<DecoderTokenizer> loadTokenizer(Path dir) throws IOException {
        Path file = dir.resolve(TOKENIZER_JSON);
        return Files.isRegularFile(file) ? Optional.of(DecoderTokenizer.load(file)) : Optional.empty();
    }

    /**
     * Saves a plain decoder without a tokenizer, as {@link #save(TransformerModel, Path, Path)}.
     *
     * @param model a plain Llama or GPT-2 decoder
     * @param dir the model directory, created or replaced as a whole
     * @throws IOException if writing fails
     */
    public static void save(TransformerModel model, Path dir) throws IOException {
        save(model, dir, null);
    }

    /**
     * Saves a plain decoder as an HF model directory, replacing {@code dir} as a whole: a crash
     * leaves the previous directory or the new one.
     *
     * @param model a Llama or GPT-2 decoder without adapter blocks
     * @param dir the model directory
     * @param tokenizerJson an HF {@code tokenizer.json} to copy in, or {@code null} for none
     * @throws IllegalArgumentException before anything is written, for a model that is no decoder
     *     ({@link HfDecoderConfig#of}) or still holds an adapter block: {@code cannot save the model as
     *     an HF model directory: module 'model.layers.0.self_attn.q_proj' is a LoraLayer where a plain
     *     llama has a Linear; merge and unload the adapters first (mergeAndUnload)}
     * @throws FileNotFoundException {@code tokenizer file not found: <path>}, before anything is written
     * @throws IOException if writing fails; the previous directory then stays
     */
    public static void save(TransformerModel model, Path dir, Path tokenizerJson) throws IOException {
        HfDecoderConfig config = HfDecoderConfig.of(model);
        requirePlain(model, config);
        if (tokenizerJson != null && !Files.isRegularFile(tokenizerJson)) {
            throw new FileNotFoundException("tokenizer file not found: " + tokenizerJson);
        }
        Map<String, HostTensor> weights = Parameters.stateDict(model.root());
        byte[] configJson = config.toJson();
        AtomicDirectory.write(dir, staging -> {
            SafetensorsWriter.write(staging.resolve(HfWeightFiles.MODEL_SAFETENSORS), weights, Map.of("format", "pt"));
            if (tokenizerJson != null) {
                Files.copy(tokenizerJson, staging.resolve(TOKENIZER_JSON));
            }
            Files.write(staging.resolve(HfDecoderConfig.CONFIG_JSON), configJson);
        });
    }

    /** Every module has the class a plain model of the same config has at its path. */
    private static void requirePlain(TransformerModel model, HfDecoderConfig config) {
        Map<String, Block> plain = new ModuleTree(config.plainRoot()).modules();
        for (Map.Entry<String, Block> module : model.modules().entrySet()) {
            Block expected = plain.get(module.getKey());
            Class<?> actual = module.getValue().getClass();
            if (expected == null || expected.getClass() != actual) {
                throw new IllegalArgumentException("cannot save the model as an HF model directory: module '" + module.getKey()
                        + "' is a " + actual.getSimpleName()
                        + (expected == null ? ", which a plain " + config.modelType() + " does not have"
                                : " where a plain " + config.modelType() + " has a " + expected.getClass().getSimpleName())
                        + "; merge and unload the adapters first (mergeAndUnload)");
            }
        }
    }
}
