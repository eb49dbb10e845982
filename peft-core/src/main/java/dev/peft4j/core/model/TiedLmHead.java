package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A language-model head tied to the input embeddings (HF's {@code tie_word_embeddings}):
 * {@code logits = hidden · E^T} with {@code E} the {@code (vocab, hidden)} weight of an
 * {@link Embedding} elsewhere in the model. It owns no parameter, so the state dict holds no
 * {@code lm_head.weight} and the shared matrix counts once. The embedding is looked up at every
 * forward call, so it follows a replaced block as long as that is still an {@link Embedding}.
 *
 * <p>Input {@code (..., hidden)}, output {@code (..., vocab)} fp32.
 */
public final class TiedLmHead extends ModuleBlock {

    private final ModuleBlock owner;
    private final String embeddingName;

    /**
     * @param owner the block holding the embedding ({@code model} for Llama, {@code transformer} for GPT-2)
     * @param embeddingName the embedding's child name ({@code embed_tokens}, {@code wte})
     */
    public TiedLmHead(ModuleBlock owner, String embeddingName) {
        this.owner = owner;
        this.embeddingName = embeddingName;
    }

    /**
     * @return the embedding whose weight this head uses
     * @throws IllegalStateException if that child is no longer an {@link Embedding}
     */
    public Embedding embedding() {
        Block block = owner.child(embeddingName);
        if (!(block instanceof Embedding embedding)) {
            throw new IllegalStateException("lm_head is tied to '" + embeddingName + "', which is now a "
                    + block.getClass().getSimpleName() + ", not an Embedding");
        }
        return embedding;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = inputs.singletonOrThrow();
        NDArray weight = store.getValue(embedding().weight(), hidden.getDevice(), training);
        return new NDList(ai.djl.nn.core.Linear.linear(hidden, weight));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(embedding().numEmbeddings())};
    }
}
