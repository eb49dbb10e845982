package dev.peft4j.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import dev.peft4j.core.model.Embedding;
import dev.peft4j.core.spi.TextEncoder;
import dev.peft4j.prefix.PromptTuningConfig.PromptTuningInit;
import java.util.Arrays;

/**
 * How prompt tuning's {@code (n, d)} table starts, as HF PEFT's {@code PromptEmbedding.__init__}:
 * <ul>
 *   <li>{@code RANDOM}: {@code N(0, 1)} per element ({@code nn.Embedding}'s default);</li>
 *   <li>{@code SAMPLE_VOCAB}: the word-embedding rows of {@code n} ids drawn uniformly from
 *       {@code [0, vocab)} by the engine's seeded generator (HF: {@code torch.randint});</li>
 *   <li>{@code TEXT}: the word-embedding rows of the ids of {@code prompt_tuning_init_text} as the
 *       base model's tokenizer gives them (special tokens included), repeated while shorter than
 *       {@code n} and cut to {@code n}.</li>
 * </ul>
 * Lester et al. 2021 (section 3.2) found vocabulary and class-label initialisation better than
 * random for small models.
 */
public final class PromptTuningInitializers {

    private PromptTuningInitializers() {}

    /**
     * @param config the prompt-tuning config
     * @param wordEmbeddings the base model's word embeddings {@code (vocab, d)}
     * @param textEncoder the base model's tokenizer, needed for {@code TEXT} only; may be {@code null}
     * @return the initializer of the {@code (n, d)} table
     * @throws IllegalArgumentException for {@code TEXT} without a tokenizer, a text that tokenizes
     *     to no ids, or an id outside the vocabulary
     */
    public static Initializer of(PromptTuningConfig config, Embedding wordEmbeddings, TextEncoder textEncoder) {
        int n = config.numVirtualTokens();
        return switch (config.promptTuningInit()) {
            case RANDOM -> new NormalInitializer(1f);
            case SAMPLE_VOCAB -> rowsOf(wordEmbeddings, null, n);
            case TEXT -> rowsOf(wordEmbeddings, textIds(config, textEncoder, wordEmbeddings.numEmbeddings()), n);
        };
    }

    /**
     * HF's fitting of the text's ids to the prompt length: cut when longer, repeated then cut
     * when shorter.
     *
     * @param ids the text's ids, non-empty
     * @param length the prompt length {@code n}
     * @return exactly {@code n} ids
     */
    public static long[] fit(long[] ids, int length) {
        long[] out = new long[length];
        for (int i = 0; i < length; i++) {
            out[i] = ids[i % ids.length];
        }
        return out;
    }

    private static long[] textIds(PromptTuningConfig config, TextEncoder textEncoder, int vocab) {
        String text = config.promptTuningInitText();
        if (textEncoder == null) {
            throw new IllegalArgumentException("prompt.prompt_tuning_init is " + PromptTuningInit.TEXT
                    + ", which needs the base model's tokenizer: pass it to PeftRuntime.getPeftModel(model, config, origin, tokenizer)"
                    + " (a SentenceTokenizer is one)");
        }
        long[] ids = textEncoder.encode(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("prompt.prompt_tuning_init_text '" + text + "' tokenizes to no ids");
        }
        for (long id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("prompt.prompt_tuning_init_text '" + text + "' gives token id " + id
                        + ", outside the model's vocabulary of " + vocab + " (ids " + Arrays.toString(ids) + ")");
            }
        }
        return fit(ids, config.numVirtualTokens());
    }

    /** The rows of {@code ids} (or of {@code n} uniformly drawn ids when {@code null}) as a fixed initializer. */
    private static Initializer rowsOf(Embedding wordEmbeddings, long[] ids, int n) {
        NDArray weight = wordEmbeddings.weight().getArray();
        float[] rows;
        try (NDManager scope = weight.getManager().newSubManager()) {
            NDArray index = ids == null
                    ? scope.randomInteger(0, wordEmbeddings.numEmbeddings(), new Shape(n), DataType.INT64)
                    : scope.create(ids);
            rows = ai.djl.nn.core.Embedding.embedding(index, weight, SparseFormat.DENSE).head().toFloatArray();
        }
        Shape expected = new Shape(n, wordEmbeddings.dim());
        return (manager, shape, dataType) -> {
            if (!shape.equals(expected)) {
                throw new IllegalArgumentException("prompt rows are " + expected + ", asked for " + shape);
            }
            return manager.create(rows, shape).toType(dataType, false);
        };
    }
}
