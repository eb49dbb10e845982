package dev.peft4j.examples.cli;

import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;

/** {@code --max-length} against the encoder: it has learned positions for only so many tokens. */
final class MaxLength {

    private MaxLength() {}

    /**
     * @param base the encoder, for the message
     * @param imported its configuration
     * @param maxLength the truncation length in tokens
     * @throws IllegalArgumentException {@code --max-length must be <= 512 (all-minilm-l6-v2's max_position_embeddings), got 100000}
     */
    static void require(BundledModel base, ImportedBert imported, int maxLength) {
        int limit = imported.config().maxPositionEmbeddings();
        if (maxLength > limit) {
            throw new IllegalArgumentException("--max-length must be <= " + limit + " (" + base.modelName()
                    + "'s max_position_embeddings), got " + maxLength);
        }
    }
}
