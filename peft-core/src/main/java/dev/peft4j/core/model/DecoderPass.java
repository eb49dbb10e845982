package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;

/**
 * What one forward pass of a decoder ({@link LlamaModel}, {@link Gpt2Model}) takes from its inputs
 * and {@code params}: the {@link KeyValueCache}, the soft prompt of prompt tuning (used only when
 * the cache is absent or empty, so virtual tokens go in once), the prefix length of prefix tuning,
 * and the {@link DecoderMask}.
 */
final class DecoderPass {

    private final KeyValueCache cache;
    private final SoftPrompt prompt;
    private final int prefixLength;
    private final DecoderMask mask;

    private DecoderPass(KeyValueCache cache, SoftPrompt prompt, int prefixLength, DecoderMask mask) {
        this.cache = cache;
        this.prompt = prompt;
        this.prefixLength = prefixLength;
        this.mask = mask;
    }

    /**
     * @param inputs {@code input_ids (batch, seq)} int64 and optionally {@code attention_mask
     *     (batch, seq)} int64 (all ones when absent)
     * @param params the forward {@code params}, prompt encoders' outputs included
     * @param numLayers the decoder's layers, which a prefix must cover
     * @return the pass
     * @throws IllegalArgumentException if the mask's shape differs from the ids', the cache's batch
     *     or layers differ from the model's, or a prefix covers another number of layers
     */
    static DecoderPass begin(NDList inputs, PairList<String, Object> params, int numLayers) {
        NDArray inputIds = inputs.get(0);
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("input_ids must be (batch, seq), got " + shape);
        }
        NDArray attentionMask = inputs.size() > 1 ? inputs.get(1) : inputIds.getManager().ones(shape, DataType.INT64);
        if (!attentionMask.getShape().equals(shape)) {
            throw new IllegalArgumentException("attention_mask has shape " + attentionMask.getShape() + ", input_ids " + shape
                    + "; they must be equal");
        }
        KeyValueCache cache = KeyValueCache.from(params);
        if (cache != null) {
            if (cache.numLayers() != numLayers) {
                throw new IllegalArgumentException("the key/value cache covers " + cache.numLayers() + " layers, but the model has "
                        + numLayers);
            }
            if (!cache.isEmpty() && cache.batchSize() != shape.get(0)) {
                throw new IllegalArgumentException("input batch " + shape.get(0) + " differs from the cached batch " + cache.batchSize());
            }
        }
        SoftPrompt prompt = SoftPrompt.from(params);
        if (prompt != null && (prompt.length() == 0 || (cache != null && !cache.isEmpty()))) {
            prompt = null;
        }
        KeyValuePrefix prefix = KeyValuePrefix.from(params);
        int prefixLength = prefix == null ? 0 : prefix.length();
        if (prefixLength > 0 && prefix.numLayers() != numLayers) {
            throw new IllegalArgumentException("key_value_prefix covers " + prefix.numLayers() + " layers, but the model has " + numLayers);
        }
        int virtual = prompt == null ? 0 : prompt.length();
        NDArray pastMask = cache == null ? null : cache.attentionMask();
        return new DecoderPass(cache, prompt, prefixLength, DecoderMask.of(attentionMask, virtual, prefixLength, pastMask));
    }

    /** @return {@code V}, the soft-prompt tokens prepended in this pass */
    int virtualTokens() {
        return prompt == null ? 0 : prompt.length();
    }

    /** @return {@code P}, prefix tuning's virtual keys per layer */
    int prefixLength() {
        return prefixLength;
    }

    /** @return the positions {@code (batch, V + seq)} int64 */
    NDArray positions() {
        return mask.positions();
    }

    /** @return the additive mask {@code (batch, 1, V + seq, P + past + V + seq)} */
    NDArray additiveMask() {
        return mask.additive();
    }

    /**
     * Prepends the soft prompt (HF PEFT's {@code inputs_embeds = cat(prompts, embeds)}).
     *
     * @param words the token embeddings {@code (batch, seq, hidden)}
     * @return {@code (batch, V + seq, hidden)}
     * @throws IllegalArgumentException if the prompt's batch or width does not fit
     */
    NDArray withSoftPrompt(NDArray words) {
        if (prompt == null) {
            return words;
        }
        Shape shape = prompt.embeddings().getShape();
        Shape wordShape = words.getShape();
        if (shape.get(0) != wordShape.get(0) || shape.get(2) != wordShape.get(2)) {
            throw new IllegalArgumentException("soft prompt has shape " + shape + ", expected (" + wordShape.get(0)
                    + ", num_virtual_tokens, " + wordShape.get(2) + ")");
        }
        NDArray embeddings = prompt.embeddings();
        NDArray typed = embeddings.getDataType() == words.getDataType() ? embeddings : embeddings.toType(words.getDataType(), false);
        return typed.concat(words, 1);
    }

    /**
     * Ends the pass: appends this call's mask to the cache and drops the virtual positions.
     *
     * @param hidden the last hidden state {@code (batch, V + seq, hidden)}
     * @return {@code (batch, seq, hidden)}
     */
    NDArray finish(NDArray hidden) {
        if (cache != null) {
            cache.appendMask(mask.newMask());
        }
        int virtual = virtualTokens();
        return virtual == 0 ? hidden : hidden.get(new NDIndex(":, {}:, :", virtual));
    }
}
