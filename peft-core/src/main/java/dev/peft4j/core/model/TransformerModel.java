package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transformer model built from {@link ModuleBlock}s, with its head for one {@link TaskType}:
 * the object PEFT methods adapt ({@link AdaptableModel}) and the runtime runs.
 *
 * <p>Owns an {@link NDManager} for its parameters; {@link #close()} frees them.
 */
public final class TransformerModel implements AdaptableModel, AutoCloseable {

    private final ModelLayout layout;
    private final Block root;
    private final ModuleTree tree;
    private final NDManager manager;
    private final AdapterToggle adapterToggle = new AdapterToggle();

    private TransformerModel(ModelLayout layout, Block root, NDManager manager) {
        this.layout = layout;
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
     * @throws IllegalArgumentException for {@link TaskType#CAUSAL_LM}
     * @param numLabels classes for {@code SEQ_CLS}; ignored otherwise
     * @param parent the manager under which the model's own manager is created
     * @return the model
     */
    public static TransformerModel bert(BertConfig config, TaskType taskType, int numLabels, NDManager parent) {
        return initialized(ModelLayout.bert(config, taskType), ModelRoots.bert(config, taskType, numLabels), parent);
    }

    /**
     * Builds a Llama-family decoder language model ({@link LlamaForCausalLM}, {@link TaskType#CAUSAL_LM})
     * with fresh weights drawn as HF's {@code _init_weights} ({@code N(0, initializer_range^2)},
     * norms 1); load pretrained ones with {@link #loadEncoderWeights}.
     *
     * @param config the decoder's configuration
     * @param parent the manager under which the model's own manager is created
     * @return the model; {@link #forward(NDList, boolean)} gives logits {@code (batch, seq, vocab)}
     */
    public static TransformerModel llama(LlamaConfig config, NDManager parent) {
        return initialized(ModelLayout.llama(config), ModelRoots.llama(config), parent);
    }

    /**
     * Builds a GPT-2 decoder language model ({@link Gpt2LMHeadModel}, {@link TaskType#CAUSAL_LM})
     * with fresh weights drawn as HF's {@code _init_weights} ({@code N(0, initializer_range^2)},
     * {@code c_proj} scaled by {@code 1/sqrt(2 n_layer)}, LayerNorms 1 and 0); load pretrained ones
     * with {@link #loadEncoderWeights}.
     *
     * @param config the decoder's configuration
     * @param parent the manager under which the model's own manager is created
     * @return the model; {@link #forward(NDList, boolean)} gives logits {@code (batch, seq, vocab)}
     */
    public static TransformerModel gpt2(Gpt2Config config, NDManager parent) {
        return initialized(ModelLayout.gpt2(config), ModelRoots.gpt2(config), parent);
    }

    private static TransformerModel initialized(ModelLayout layout, Block root, NDManager parent) {
        NDManager manager = parent.newSubManager();
        root.initialize(manager, DataType.FLOAT32);
        return new TransformerModel(layout, root, manager);
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
        return layout.taskType();
    }

    /** @return the root block */
    public Block root() {
        return root;
    }

    /**
     * The path prefix of the base transformer (the encoder, or the decoder without its head) inside
     * the root: {@code "bert."} for {@code SEQ_CLS}, empty for the bare encoder, {@code "model."} for
     * Llama and {@code "transformer."} for GPT-2 ({@code CAUSAL_LM}).
     *
     * @return the prefix, ending with {@code "."} unless empty
     */
    public String encoderPrefix() {
        return layout.basePrefix();
    }

    /**
     * Copies pretrained weights in. For an encoder they are keyed as HF's {@code BertModel} state
     * dict ({@code embeddings.word_embeddings.weight}, ...), {@code pooler.*} tensors (not modelled)
     * skipped. For {@link TaskType#CAUSAL_LM} they are keyed as the full HF state dict from the
     * {@code *ForCausalLM} root ({@code model.layers.0.self_attn.q_proj.weight},
     * {@code transformer.h.0.attn.c_attn.weight}); a tied head has no {@code lm_head.weight}.
     * Every parameter must be given.
     *
     * @param weights fp32 tensors keyed as above
     * @throws IllegalArgumentException naming missing or unexpected keys, or a shape mismatch
     */
    public void loadEncoderWeights(Map<String, HostTensor> weights) {
        ModelRoots.load(taskType(), root, baseBlock(), weights);
    }

    /**
     * The pretrained weights as HF state-dict entries: the encoder's as {@code BertModel} names (no
     * {@code bert.} prefix), a decoder's as the full {@code *ForCausalLM} names (no {@code lm_head.weight}
     * when tied).
     *
     * @return fp32 host tensors
     */
    public Map<String, HostTensor> encoderWeights() {
        return Parameters.stateDict(taskType() == TaskType.CAUSAL_LM ? root : baseBlock());
    }

    /**
     * Runs the model.
     *
     * @param inputs {@code input_ids (batch, seq)}, {@code attention_mask (batch, seq)} and
     *     optionally {@code token_type_ids}, all int64
     * @param training whether dropout is active (and parameters may be initialized lazily)
     * @return the last hidden state {@code (batch, seq, hidden)} for {@code FEATURE_EXTRACTION},
     *     logits {@code (batch, num_labels)} for {@code SEQ_CLS}, logits {@code (batch, seq, vocab)}
     *     fp32 for {@code CAUSAL_LM}
     */
    public NDList forward(NDList inputs, boolean training) {
        return root.forward(new ParameterStore(manager, false), inputs, training);
    }

    /**
     * Runs a decoder in evaluation mode on new tokens after the cached ones and appends their keys,
     * values and mask to {@code cache} (see {@link KeyValueCache}; prompt tuning's virtual tokens go
     * in only while it is empty, prefix tuning's prefix on every call). Use no gradient collector.
     *
     * @param inputs {@code input_ids (batch, new)} int64 and {@code attention_mask (batch, new)}
     *     int64 covering only the new tokens
     * @param cache a cache from {@link #newKeyValueCache}, empty on the first call
     * @return logits {@code (batch, new, vocab)} fp32
     * @throws IllegalStateException if the model is not {@link TaskType#CAUSAL_LM}
     * @throws IllegalArgumentException if the batch differs from the cached one
     */
    public NDList forward(NDList inputs, KeyValueCache cache) {
        requireDecoder("a key/value cache");
        return root.forward(new ParameterStore(manager, false), inputs, false, cache.toParams());
    }

    /**
     * @param parent the manager under which the cache's arrays live (e.g. a generation's manager)
     * @return an empty cache for this decoder's layers
     * @throws IllegalStateException if the model is not {@link TaskType#CAUSAL_LM}
     */
    public KeyValueCache newKeyValueCache(NDManager parent) {
        requireDecoder("a key/value cache");
        return new KeyValueCache(numLayers(), parent);
    }

    private void requireDecoder(String what) {
        if (taskType() != TaskType.CAUSAL_LM) {
            throw new IllegalStateException(what + " needs a CAUSAL_LM decoder; this model is " + architecture() + " " + taskType());
        }
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
     * For {@code CAUSAL_LM} it is the decoder's last hidden state (after the final norm, before
     * {@code lm_head}) mean-pooled over the real tokens.
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
        Block base = taskType() == TaskType.CAUSAL_LM ? baseBlock() : root;
        NDArray hidden = base.forward(store, inputs, false).head();
        return MeanPooling.pool(hidden, inputs.get(1));
    }

    /**
     * Attaches the prompt encoder of a prompt-learning method (prompt tuning, prefix tuning) to the
     * base transformer ({@link PromptHost}), as {@code <encoder prefix>prompt_encoder.<adapterName>}
     * ({@code bert.prompt_encoder.default} for {@code SEQ_CLS}, {@code model.prompt_encoder.default} for
     * Llama, {@code transformer.prompt_encoder.default} for GPT-2): its parameters join the model's, its
     * dropouts get their streams, and the base runs it at the start of every forward pass. Several
     * adapters may each attach one; a forward pass runs only the encoders of the adapters
     * {@link #adapterSwitch()} calls active (none while adapters are disabled).
     *
     * @param adapterName the adapter's name, without {@code "."}
     * @param encoder the encoder, initialized
     * @param <B> a block that is a prompt encoder
     * @return the encoder's module path
     * @throws IllegalArgumentException if a prompt encoder is already attached for {@code adapterName}
     */
    public <B extends Block & PromptEncoder> String attachPromptEncoder(String adapterName, B encoder) {
        promptHost().attachPromptEncoder(adapterName, encoder, adapterToggle);
        String path = encoderPrefix() + PromptHost.PROMPT_ENCODER + "." + adapterName;
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
        return promptHost().detachPromptEncoder(adapterName);
    }

    /**
     * The attached prompt encoders by module path ({@code bert.prompt_encoder.default}).
     *
     * @return an ordered map, empty without prompt learning
     */
    public Map<String, PromptEncoder> promptEncoders() {
        Map<String, PromptEncoder> out = new LinkedHashMap<>();
        promptHost().promptEncoders().forEach((path, encoder) -> out.put(encoderPrefix() + path, encoder));
        return out;
    }

    /**
     * The word embeddings, HF's {@code get_input_embeddings()}.
     *
     * @return {@code <encoder prefix>embeddings.word_embeddings} (BERT), {@code model.embed_tokens}
     *     (Llama) or {@code transformer.wte} (GPT-2), {@code (vocab, hidden)}
     * @throws IllegalStateException if that module has been replaced by something else than an {@link Embedding}
     */
    public Embedding inputEmbeddings() {
        String path = layout.inputEmbeddings();
        Block block = tree.find(path);
        if (!(block instanceof Embedding embedding)) {
            throw new IllegalStateException("'" + path + "' is a " + block.getClass().getSimpleName() + ", not an Embedding");
        }
        return embedding;
    }

    /** @return the number of (query) attention heads per layer */
    public int numAttentionHeads() {
        return layout.numAttentionHeads();
    }

    /**
     * @return the key/value heads per layer, HF's {@code num_key_value_heads} (the attention heads
     *     without grouped-query attention); prefix tuning sizes its prefix by them
     */
    public int numKeyValueHeads() {
        return layout.numKeyValueHeads();
    }

    /** @return the width of one attention head, HF's {@code head_dim} */
    public int headDim() {
        return layout.headDim();
    }

    /** @return the tokens in the vocabulary */
    public int vocabSize() {
        return layout.vocabSize();
    }

    /** The base transformer block: the root, or its {@code bert}/{@code model}/{@code transformer} child. */
    private Block baseBlock() {
        String prefix = encoderPrefix();
        return prefix.isEmpty() ? root : tree.find(prefix.substring(0, prefix.length() - 1));
    }

    private PromptHost promptHost() {
        Block base = baseBlock();
        if (!(base instanceof PromptHost host)) {
            throw new IllegalStateException("the base model is a " + base.getClass().getSimpleName() + ", which hosts no prompt encoders");
        }
        return host;
    }

    @Override
    public String architecture() {
        return layout.architecture().name();
    }

    /** @return the family, size and default targets */
    public Architecture architectureSpec() {
        return layout.architecture();
    }

    @Override
    public List<String> defaultTargetModules() {
        return layout.architecture().defaultTargetModules();
    }

    @Override
    public int hiddenSize() {
        return layout.architecture().hiddenSize();
    }

    @Override
    public int numLayers() {
        return layout.architecture().numLayers();
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
