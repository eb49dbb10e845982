package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT-family encoder with HF's {@code BertModel} module paths ({@code embeddings.*},
 * {@code encoder.layer.N.*}); HF's optional {@code pooler} is not modelled (sentence embeddings
 * and our classification head use mean pooling).
 *
 * <p>Inputs: {@code input_ids (batch, seq)} int64, {@code attention_mask (batch, seq)} int64
 * (1 real token, 0 padding) and optionally {@code token_type_ids (batch, seq)} int64. Output: the
 * last hidden state {@code (batch, seq, hidden)}.
 *
 * <p>Prompt learning: a {@link PromptEncoder} attached with {@link #attachPromptEncoder} (child
 * {@code prompt_encoder.<adapter>}) runs once at the start of every forward pass while its adapter
 * is active (several may be attached, one per adapter, as HF PEFT's {@code PeftModel}); its
 * {@link SoftPrompt} and {@link KeyValuePrefix} reach the sub-blocks through the forward
 * {@code params} (callers may also put them there themselves). With a soft prompt of {@code n}
 * virtual tokens the attention mask is extended with {@code n} ones in front (as HF PEFT does) and
 * the output drops the virtual positions, so it stays {@code (batch, seq, hidden)}.
 */
public final class BertModel extends ModuleBlock {

    /** The child holding attached prompt encoders, HF PEFT's name. */
    public static final String PROMPT_ENCODER = "prompt_encoder";

    private final BertConfig config;
    private AdapterSwitch adapterSwitch;

    /** @param config the encoder's configuration */
    public BertModel(BertConfig config) {
        this.config = config;
        addChild("embeddings", new BertEmbeddings(config));
        addChild("encoder", new BertEncoder(config));
    }

    /** @return the configuration */
    public BertConfig config() {
        return config;
    }

    /**
     * Attaches a prompt encoder as {@code prompt_encoder.<adapterName>}. Prefer
     * {@link TransformerModel#attachPromptEncoder}, which also binds dropout streams and the switch.
     * Several prompt-learning adapters may be attached (HF PEFT's {@code PeftModel}); each forward
     * pass runs only the encoders whose adapter {@code adapterSwitch} calls active.
     *
     * @param adapterName the adapter's name, without {@code "."}
     * @param encoder the encoder, initialized
     * @param adapterSwitch the model's switch, which says whose encoder runs
     * @param <B> a block that is a prompt encoder
     * @throws IllegalArgumentException if an encoder is already attached for {@code adapterName}
     */
    <B extends Block & PromptEncoder> void attachPromptEncoder(String adapterName, B encoder, AdapterSwitch adapterSwitch) {
        ModuleDict dict;
        if (childNames().contains(PROMPT_ENCODER)) {
            dict = (ModuleDict) child(PROMPT_ENCODER);
            if (dict.contains(adapterName)) {
                throw new IllegalArgumentException("a prompt encoder is already attached for adapter '" + adapterName + "' ("
                        + PROMPT_ENCODER + "." + adapterName + ")");
            }
        } else {
            dict = addChild(PROMPT_ENCODER, new ModuleDict());
        }
        dict.put(adapterName, encoder);
        this.adapterSwitch = adapterSwitch;
    }

    /**
     * Removes the prompt encoder of {@code adapterName} ({@code prompt_encoder.<adapterName>}).
     *
     * @param adapterName the adapter's name
     * @return the removed encoder block, or {@code null} if none was attached for it
     */
    Block detachPromptEncoder(String adapterName) {
        if (!childNames().contains(PROMPT_ENCODER) || !((ModuleDict) child(PROMPT_ENCODER)).contains(adapterName)) {
            return null;
        }
        return ((ModuleDict) child(PROMPT_ENCODER)).remove(adapterName);
    }

    /** @return the attached prompt encoders by their path below this block ({@code prompt_encoder.default}) */
    public Map<String, PromptEncoder> promptEncoders() {
        Map<String, PromptEncoder> out = new LinkedHashMap<>();
        if (childNames().contains(PROMPT_ENCODER) && child(PROMPT_ENCODER) instanceof ModuleBlock dict) {
            for (String name : dict.childNames()) {
                if (dict.child(name) instanceof PromptEncoder encoder) {
                    out.put(PROMPT_ENCODER + "." + name, encoder);
                }
            }
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        PairList<String, Object> forwardParams = withPromptInputs(store, inputs, training, params);
        NDArray inputIds = inputs.get(0);
        NDArray attentionMask = inputs.get(1);
        SoftPrompt prompt = SoftPrompt.from(forwardParams);
        int virtual = prompt == null ? 0 : prompt.length();
        KeyValuePrefix prefix = KeyValuePrefix.from(forwardParams);
        if (prefix != null && prefix.length() > 0 && prefix.numLayers() != config.numHiddenLayers()) {
            throw new IllegalArgumentException("key_value_prefix covers " + prefix.numLayers() + " layers, but the model has "
                    + config.numHiddenLayers());
        }
        if (virtual > 0) {
            NDArray ones = attentionMask.getManager().ones(new Shape(attentionMask.getShape().get(0), virtual), attentionMask.getDataType());
            attentionMask = ones.concat(attentionMask, 1);
        }
        NDList embeddingInputs = inputs.size() > 2 ? new NDList(inputIds, inputs.get(2)) : new NDList(inputIds);
        NDArray hidden = child("embeddings").forward(store, embeddingInputs, training, forwardParams).head();
        NDList out = child("encoder").forward(store, new NDList(hidden, additiveMask(attentionMask)), training, forwardParams);
        return virtual == 0 ? out : new NDList(out.head().get(new NDIndex(":, {}:, :", virtual)));
    }

    /** Runs the attached prompt encoders of the active adapters and adds their params to a copy of {@code params}. */
    private PairList<String, Object> withPromptInputs(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        Map<String, PromptEncoder> encoders = promptEncoders();
        if (encoders.isEmpty()) {
            return params;
        }
        PairList<String, Object> merged = new PairList<>();
        if (params != null) {
            for (Pair<String, Object> entry : params) {
                merged.add(entry.getKey(), entry.getValue());
            }
        }
        for (Map.Entry<String, PromptEncoder> attached : encoders.entrySet()) {
            String adapterName = attached.getKey().substring(PROMPT_ENCODER.length() + 1);
            if (adapterSwitch != null && !adapterSwitch.isActive(adapterName)) {
                continue;
            }
            PromptEncoder encoder = attached.getValue();
            PairList<String, Object> added = encoder.encode(store, inputs, training, params);
            if (added != null) {
                for (Pair<String, Object> entry : added) {
                    merged.add(entry.getKey(), entry.getValue());
                }
            }
        }
        return merged;
    }

    /**
     * Turns a {@code (batch, seq)} 0/1 padding mask into the additive {@code (batch, 1, 1, seq)}
     * mask the attention layers add to their scores: 0 for real tokens, the lowest fp32 value for
     * padding (as HF transformers).
     *
     * @param attentionMask 1 for real tokens, 0 for padding
     * @return the additive fp32 mask
     */
    public static NDArray additiveMask(NDArray attentionMask) {
        NDArray real = attentionMask.toType(DataType.FLOAT32, false);
        return real.neg().add(1f).mul(-Float.MAX_VALUE).expandDims(1).expandDims(1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }
}
