package dev.peft4j.prefix;

import ai.djl.ndarray.NDArray;
import dev.peft4j.core.io.AdapterKeys;

import ai.djl.ndarray.types.DataType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftMethod;
import java.util.Objects;

/**
 * Applies a {@link PrefixTuningConfig}, HF PEFT's prompt-learning setup for {@code PREFIX_TUNING}:
 * checks the config's model keys against the model, builds a {@link PrefixEncoder} in the model's
 * manager and attaches it to the base transformer ({@code bert.prompt_encoder.default} for
 * {@code SEQ_CLS}, {@code model.prompt_encoder.default} for Llama, {@code transformer.prompt_encoder.default}
 * for GPT-2). The prefix is sized by the key/value heads ({@link PromptLearningShape#ofKeysAndValues}):
 * with grouped-query attention {@code num_attention_heads = num_key_value_heads} and
 * {@code token_dim = head_dim * num_key_value_heads}, as HF PEFT sizes it.
 * The base stays frozen (the runtime froze it); the encoder's parameters train.
 *
 * <p>After {@link #apply}, {@link #config()} returns the config completed with the model's sizes
 * ({@code num_layers}, {@code token_dim}, {@code num_attention_heads},
 * {@code num_transformer_submodules}, {@code encoder_hidden_size}), as HF writes it.
 */
public final class PrefixTuningMethod implements PeftMethod {

    private PrefixTuningConfig config;
    private PrefixEncoder encoder;

    /**
     * @param config the configuration
     * @throws NullPointerException if {@code config} is null
     */
    public PrefixTuningMethod(PrefixTuningConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public PrefixTuningConfig config() {
        return config;
    }

    /**
     * {@code true}: several prompt-learning adapters may share one base model, each with its own
     * {@code prompt_encoder.<adapter>} and its own {@code num_virtual_tokens}, one active at a time
     * (HF PEFT's {@code PeftModel.add_adapter} / {@code set_adapter} for prompt learning).
     */
    @Override
    public boolean supportsMultipleAdapters() {
        return true;
    }

    /**
     * @throws IllegalArgumentException if the model is not a peft4j {@link TransformerModel}, a
     *     model key disagrees with the model ({@code prefix.num_layers is 12, but the model has 6 layers}),
     *     or a prompt encoder is already attached for this adapter's name
     */
    @Override
    public void apply(InjectionContext context) {
        TransformerModel model = PromptLearningShape.transformerModel("prefix tuning", context.model());
        PromptLearningShape shape = PromptLearningShape.ofKeysAndValues(model).check("prefix", config.numLayers(), config.tokenDim(),
                config.numAttentionHeads(), config.numTransformerSubmodules());
        PrefixTuningConfig resolved = config.resolvedFor(shape);
        PrefixEncoder encoder = new PrefixEncoder(resolved, model.adapterSwitch());
        encoder.initialize(model.manager(), DataType.FLOAT32);
        model.attachPromptEncoder(context.adapterName(), encoder);
        this.encoder = encoder;
        config = resolved;
    }

    /**
     * Places HF's {@code prompt_embeddings} into the attached encoder ({@link PrefixEncoder#loadPromptEmbeddings}).
     *
     * @throws IllegalArgumentException if the tensor's shape does not fit the model
     */
    @Override
    public boolean loadCheckpointTensor(InjectionContext context, String key, NDArray value) {
        if (!AdapterKeys.PROMPT_EMBEDDINGS.equals(key) || encoder == null) {
            return false;
        }
        encoder.loadPromptEmbeddings(value);
        return true;
    }
}
