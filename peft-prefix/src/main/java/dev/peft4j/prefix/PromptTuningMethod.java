package dev.peft4j.prefix;

import ai.djl.ndarray.NDArray;
import dev.peft4j.core.io.AdapterKeys;

import dev.peft4j.core.model.Embedding;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftMethod;
import java.util.Objects;

/**
 * Applies a {@link PromptTuningConfig}, HF PEFT's prompt-learning setup for {@code PROMPT_TUNING}:
 * checks the config's model keys against the model, initialises a {@link PromptEmbedding} from
 * {@code prompt_tuning_init} ({@link PromptTuningInitializers}; {@code TEXT} uses
 * {@link InjectionContext#textEncoder()}) and attaches it to the encoder
 * ({@code bert.prompt_encoder.default} for {@code SEQ_CLS}). The base stays frozen.
 *
 * <p>After {@link #apply}, {@link #config()} returns the config completed with the model's sizes,
 * as HF writes it.
 */
public final class PromptTuningMethod implements PeftMethod {

    private PromptTuningConfig config;
    private PromptEmbedding encoder;

    /**
     * @param config the configuration
     * @throws NullPointerException if {@code config} is null
     */
    public PromptTuningMethod(PromptTuningConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public PromptTuningConfig config() {
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
     *     model key disagrees with the model, {@code TEXT} initialisation has no tokenizer, or a
     *     prompt encoder is already attached for this adapter's name
     */
    @Override
    public void apply(InjectionContext context) {
        TransformerModel model = PromptLearningShape.transformerModel("prompt tuning", context.model());
        PromptLearningShape shape = PromptLearningShape.of(model).check("prompt", config.numLayers(), config.tokenDim(),
                config.numAttentionHeads(), config.numTransformerSubmodules());
        Embedding words = model.inputEmbeddings();
        PromptEmbedding encoder = new PromptEmbedding(config.numVirtualTokens(), shape.tokenDim(),
                PromptTuningInitializers.of(config, words, context.textEncoder()), model.adapterSwitch());
        encoder.initialize(model.manager(), words.weight().getArray().getDataType());
        model.attachPromptEncoder(context.adapterName(), encoder);
        this.encoder = encoder;
        config = config.resolvedFor(shape);
    }

    /**
     * Places HF's {@code prompt_embeddings} into the attached encoder ({@link PromptEmbedding#loadPromptEmbeddings}).
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
