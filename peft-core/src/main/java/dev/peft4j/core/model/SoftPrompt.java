package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * Soft-prompt embeddings for one forward pass of a {@link BertModel}: prompt tuning's virtual
 * tokens (Lester et al. 2021, "The Power of Scale for Parameter-Efficient Prompt Tuning", section 2).
 *
 * <p>It travels in the forward {@code params} under {@link #PARAM}, as {@link DropoutSeed} does;
 * a {@link PromptEncoder} attached to the model puts it there. The model then computes what HF
 * PEFT's {@code PeftModelForSequenceClassification} computes for {@code PROMPT_TUNING}:
 * <ul>
 *   <li>{@link BertEmbeddings} prepends the prompt to the word embeddings (HF's
 *       {@code inputs_embeds = cat(prompts, word_embeddings(input_ids))}), so the virtual tokens take
 *       positions {@code 0 .. n-1} and token type 0, the real tokens positions {@code n .. n+seq-1},
 *       and all of them pass LayerNorm and dropout;</li>
 *   <li>{@link BertModel} extends the attention mask with ones for the virtual tokens, so every
 *       token attends to them and padding stays masked;</li>
 *   <li>{@link BertModel} drops the virtual positions from its output, which therefore keeps the
 *       shape {@code (batch, seq, hidden)} of the real tokens (HF keeps them in
 *       {@code last_hidden_state}); mean pooling thus covers real tokens only.</li>
 * </ul>
 * A prompt of length 0 is ignored, so the model computes exactly what it computes without one.
 *
 * @param embeddings the virtual token embeddings {@code (batch, num_virtual_tokens, hidden)}, in
 *     the dtype of the word embeddings
 */
public record SoftPrompt(NDArray embeddings) {

    /** The key of this record in DJL's forward {@code params}. */
    public static final String PARAM = "peft4j.soft_prompt";

    /**
     * @throws IllegalArgumentException if {@code embeddings} is not 3-dimensional
     * @throws NullPointerException if {@code embeddings} is null
     */
    public SoftPrompt {
        Objects.requireNonNull(embeddings, "embeddings");
        if (embeddings.getShape().dimension() != 3) {
            throw new IllegalArgumentException("soft prompt embeddings must be (batch, num_virtual_tokens, hidden), got "
                    + embeddings.getShape());
        }
    }

    /** @return the number of virtual tokens {@code n} */
    public int length() {
        return Math.toIntExact(embeddings.getShape().get(1));
    }

    /** @return forward {@code params} holding only this prompt */
    public PairList<String, Object> toParams() {
        PairList<String, Object> params = new PairList<>();
        params.add(PARAM, this);
        return params;
    }

    /**
     * @param params a forward pass's {@code params}, possibly {@code null}
     * @return the prompt they carry, or {@code null} if none
     */
    public static SoftPrompt from(PairList<String, Object> params) {
        if (params == null) {
            return null;
        }
        return params.get(PARAM) instanceof SoftPrompt prompt ? prompt : null;
    }
}
