package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transformer model built from {@link ModuleBlock}s, with its head for one {@link TaskType}:
 * the object PEFT methods adapt ({@link AdaptableModel}) and the runtime runs.
 *
 * <p>Owns an {@link NDManager} for its parameters; {@link #close()} frees them.
 */
public final class TransformerModel implements AdaptableModel, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransformerModel.class);

    private final Architecture architecture;
    private final TaskType taskType;
    private final String encoderPrefix;
    private final Block root;
    private final ModuleTree tree;
    private final NDManager manager;
    private final AdapterToggle adapterToggle = new AdapterToggle();
    private final int numAttentionHeads;

    private TransformerModel(Architecture architecture, int numAttentionHeads, TaskType taskType, String encoderPrefix, Block root,
            NDManager manager) {
        this.architecture = architecture;
        this.numAttentionHeads = numAttentionHeads;
        this.taskType = taskType;
        this.encoderPrefix = encoderPrefix;
        this.root = root;
        this.tree = new ModuleTree(root);
        this.manager = manager;
        DropoutStreams.bind("", root);
    }

    /**
     * Builds a BERT encoder with freshly initialized parameters (the classifier as HF:
     * weights ~ N(0, 0.02), bias 0); load pretrained weights with {@link #loadEncoderWeights}.
     *
     * @param config the encoder's configuration
     * @param taskType {@link TaskType#FEATURE_EXTRACTION} (a {@link BertModel}) or
     *     {@link TaskType#SEQ_CLS} (a {@link BertForSequenceClassification})
     * @param numLabels classes for {@code SEQ_CLS}; ignored otherwise
     * @param parent the manager under which the model's own manager is created
     * @return the model
     */
    public static TransformerModel bert(BertConfig config, TaskType taskType, int numLabels, NDManager parent) {
        Block root = switch (taskType) {
            case FEATURE_EXTRACTION -> new BertModel(config);
            case SEQ_CLS -> {
                var classification = new BertForSequenceClassification(config, numLabels);
                classification.child("classifier").setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
                yield classification;
            }
        };
        NDManager manager = parent.newSubManager();
        root.initialize(manager, DataType.FLOAT32);
        String prefix = taskType == TaskType.SEQ_CLS ? "bert." : "";
        return new TransformerModel(Architecture.bert(config), config.numAttentionHeads(), taskType, prefix, root, manager);
    }

    /**
     * Builds a BERT encoder with imported pretrained weights; a {@code SEQ_CLS} head starts freshly
     * initialized.
     *
     * @param imported the configuration and {@code BertModel}-named weights
     * @param taskType the head
     * @param numLabels classes for {@code SEQ_CLS}; ignored otherwise
     * @param parent the manager under which the model's own manager is created
     * @return the model
     * @throws IllegalArgumentException if the weights do not fit the configuration
     */
    public static TransformerModel pretrainedBert(ImportedBert imported, TaskType taskType, int numLabels, NDManager parent) {
        TransformerModel model = bert(imported.config(), taskType, numLabels, parent);
        try {
            model.loadEncoderWeights(imported.weights());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** @return the head this model computes */
    public TaskType taskType() {
        return taskType;
    }

    /** @return the root block */
    public Block root() {
        return root;
    }

    /**
     * The path prefix of the encoder inside the root: {@code "bert."} for {@code SEQ_CLS}, empty
     * for the bare encoder.
     *
     * @return the prefix, ending with {@code "."} unless empty
     */
    public String encoderPrefix() {
        return encoderPrefix;
    }

    /**
     * Copies pretrained encoder weights in, keyed as HF's {@code BertModel} state dict
     * ({@code embeddings.word_embeddings.weight}, ...). Every encoder parameter must be given;
     * {@code pooler.*} tensors, which this model does not use, are skipped.
     *
     * @param weights fp32 tensors keyed by {@code BertModel} names
     * @throws IllegalArgumentException naming missing or unexpected keys, or a shape mismatch
     */
    public void loadEncoderWeights(Map<String, HostTensor> weights) {
        Map<String, HostTensor> prefixed = new LinkedHashMap<>();
        weights.forEach((key, tensor) -> {
            if (key.startsWith("pooler.")) {
                LOG.debug("skipping {}: the pooler is not modelled", key);
            } else {
                prefixed.put(encoderPrefix + key, tensor);
            }
        });
        Block encoder = encoderPrefix.isEmpty() ? root : tree.find(encoderPrefix.substring(0, encoderPrefix.length() - 1));
        Parameters.loadStateDict(encoder, stripPrefix(prefixed), true);
    }

    private Map<String, HostTensor> stripPrefix(Map<String, HostTensor> prefixed) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        prefixed.forEach((key, tensor) -> out.put(key.substring(encoderPrefix.length()), tensor));
        return out;
    }

    /**
     * The encoder's weights as HF {@code BertModel} state-dict entries (no {@code bert.} prefix).
     *
     * @return fp32 host tensors
     */
    public Map<String, HostTensor> encoderWeights() {
        Block encoder = encoderPrefix.isEmpty() ? root : tree.find(encoderPrefix.substring(0, encoderPrefix.length() - 1));
        return Parameters.stateDict(encoder);
    }

    /**
     * Runs the model.
     *
     * @param inputs {@code input_ids (batch, seq)}, {@code attention_mask (batch, seq)} and
     *     optionally {@code token_type_ids}, all int64
     * @param training whether dropout is active (and parameters may be initialized lazily)
     * @return the last hidden state {@code (batch, seq, hidden)} for {@code FEATURE_EXTRACTION},
     *     logits {@code (batch, num_labels)} for {@code SEQ_CLS}
     */
    public NDList forward(NDList inputs, boolean training) {
        return root.forward(new ParameterStore(manager, false), inputs, training);
    }

    /**
     * Runs the model in training mode with reproducible dropout: every {@link Dropout} draws its
     * mask from {@code (seed.seed(), seed.step(), its module path)}, see {@link Dropout}.
     *
     * @param inputs as {@link #forward(NDList, boolean)}
     * @param seed the run's seed and this forward pass's index
     * @return as {@link #forward(NDList, boolean)}
     */
    public NDList forward(NDList inputs, DropoutSeed seed) {
        return root.forward(new ParameterStore(manager, false), inputs, true, seed.toParams());
    }

    /**
     * Sentence embeddings in evaluation mode (no dropout): the encoder's last hidden state
     * mean-pooled over the real tokens of {@code attention_mask}, as sentence-transformers pools
     * MiniLM, not L2-normalised. For {@link TaskType#SEQ_CLS} this is the vector the head classifies,
     * taken before its dropout and {@code classifier}
     * ({@link BertForSequenceClassification#pooledOutput}, the code the logits use); for
     * {@link TaskType#FEATURE_EXTRACTION} the pooled {@link BertModel} output. Either way it runs
     * through every injected block (LoRA, bottleneck adapters, prefix tuning's key/value extension,
     * prompt tuning's virtual tokens, which are excluded from the pooling as in the classification
     * path), and honours {@link #adapterToggle()}: inside a disable scope it is the base model's.
     *
     * <p>Call it under {@code Autograd.noGrad()} unless gradients are wanted.
     *
     * @param inputs {@code input_ids}, {@code attention_mask} (and optionally {@code token_type_ids}),
     *     each {@code (batch, seq)} int64
     * @return {@code (batch, hidden)} fp32, attached to the inputs' manager
     */
    public NDArray pooledEmbeddings(NDList inputs) {
        ParameterStore store = new ParameterStore(manager, false);
        if (root instanceof BertForSequenceClassification classification) {
            return classification.pooledOutput(store, inputs, false, null);
        }
        NDArray hidden = root.forward(store, inputs, false).head();
        return MeanPooling.pool(hidden, inputs.get(1));
    }

    /**
     * Attaches the prompt encoder of a prompt-learning method (prompt tuning, prefix tuning) to the
     * encoder, as {@code <encoder prefix>prompt_encoder.<adapterName>} ({@code bert.prompt_encoder.default}
     * for {@code SEQ_CLS}): its parameters join the model's, its dropouts get their streams, and the
     * encoder runs it at the start of every forward pass (see {@link BertModel} and
     * {@link PromptEncoder}).
     *
     * @param adapterName the adapter's name, without {@code "."}
     * @param encoder the encoder, initialized
     * @param <B> a block that is a prompt encoder
     * <p>Several adapters may each attach one; a forward pass runs only the encoders of the adapters
     * {@link #adapterSwitch()} calls active (none while adapters are disabled).
     *
     * @return the encoder's module path
     * @throws IllegalArgumentException if a prompt encoder is already attached for {@code adapterName}
     */
    public <B extends Block & PromptEncoder> String attachPromptEncoder(String adapterName, B encoder) {
        encoderBlock().attachPromptEncoder(adapterName, encoder, adapterToggle);
        String path = encoderPrefix + BertModel.PROMPT_ENCODER + "." + adapterName;
        DropoutStreams.bind(path, encoder);
        return path;
    }

    /**
     * Removes the prompt encoder of {@code adapterName} from the module tree (HF PEFT's
     * {@code delete_adapter} for a prompt-learning adapter); its parameters are no longer the model's.
     *
     * @param adapterName the adapter's name
     * @return the removed encoder block (the caller closes its parameters), or {@code null} if the
     *     adapter has no prompt encoder
     */
    public Block detachPromptEncoder(String adapterName) {
        return encoderBlock().detachPromptEncoder(adapterName);
    }

    /**
     * The attached prompt encoders by module path ({@code bert.prompt_encoder.default}).
     *
     * @return an ordered map, empty without prompt learning
     */
    public Map<String, PromptEncoder> promptEncoders() {
        Map<String, PromptEncoder> out = new LinkedHashMap<>();
        encoderBlock().promptEncoders().forEach((path, encoder) -> out.put(encoderPrefix + path, encoder));
        return out;
    }

    /**
     * The word embeddings, HF's {@code get_input_embeddings()}.
     *
     * @return {@code <encoder prefix>embeddings.word_embeddings}, {@code (vocab, hidden)}
     * @throws IllegalStateException if that module has been replaced by something else than an {@link Embedding}
     */
    public Embedding inputEmbeddings() {
        String path = encoderPrefix + "embeddings.word_embeddings";
        Block block = tree.find(path);
        if (!(block instanceof Embedding embedding)) {
            throw new IllegalStateException("'" + path + "' is a " + block.getClass().getSimpleName() + ", not an Embedding");
        }
        return embedding;
    }

    /** @return the number of attention heads per layer */
    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    private BertModel encoderBlock() {
        Block encoder = encoderPrefix.isEmpty() ? root : tree.find(encoderPrefix.substring(0, encoderPrefix.length() - 1));
        if (!(encoder instanceof BertModel bert)) {
            throw new IllegalStateException("the encoder is a " + encoder.getClass().getSimpleName() + ", not a BertModel");
        }
        return bert;
    }

    @Override
    public String architecture() {
        return architecture.name();
    }

    /** @return the family, size and default targets */
    public Architecture architectureSpec() {
        return architecture;
    }

    @Override
    public List<String> defaultTargetModules() {
        return architecture.defaultTargetModules();
    }

    @Override
    public int hiddenSize() {
        return architecture.hiddenSize();
    }

    @Override
    public int numLayers() {
        return architecture.numLayers();
    }

    @Override
    public Map<String, Block> modules() {
        return tree.modules();
    }

    @Override
    public Block module(String path) {
        return tree.find(path);
    }

    /**
     * Replaces the block at {@code path} and binds the dropouts inside the replacement to their
     * new paths ({@link DropoutStreams}).
     */
    @Override
    public Block replaceModule(String path, Block replacement) {
        Block old = tree.replace(path, replacement);
        DropoutStreams.bind(path, replacement);
        return old;
    }

    /** @return the module tree, for path look-ups and suggestions */
    public ModuleTree tree() {
        return tree;
    }

    @Override
    public AdapterSwitch adapterSwitch() {
        return adapterToggle;
    }

    /** @return the toggle behind {@link #adapterSwitch()}, which opens disable scopes */
    public AdapterToggle adapterToggle() {
        return adapterToggle;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
