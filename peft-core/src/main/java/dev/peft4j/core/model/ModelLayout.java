package dev.peft4j.core.model;

/**
 * Where things sit in a {@link TransformerModel}'s root and the sizes PEFT methods size themselves by.
 *
 * @param architecture family, size and default {@code target_modules}
 * @param taskType the head
 * @param basePrefix the path of the base transformer (the {@link PromptHost}) inside the root,
 *     ending with {@code "."}, or empty when the root is the base: {@code "bert."}, {@code "model."},
 *     {@code "transformer."}
 * @param inputEmbeddings the path of the token embeddings from the root
 * @param numAttentionHeads query heads per layer
 * @param numKeyValueHeads key/value heads per layer (the query heads without grouped-query attention)
 * @param headDim the width of one head
 * @param vocabSize tokens in the vocabulary
 */
record ModelLayout(Architecture architecture, TaskType taskType, String basePrefix, String inputEmbeddings,
        int numAttentionHeads, int numKeyValueHeads, int headDim, int vocabSize) {

    static ModelLayout bert(BertConfig config, TaskType taskType) {
        String prefix = taskType == TaskType.SEQ_CLS ? "bert." : "";
        return new ModelLayout(Architecture.bert(config), taskType, prefix, prefix + "embeddings.word_embeddings",
                config.numAttentionHeads(), config.numAttentionHeads(), config.headSize(), config.vocabSize());
    }

    static ModelLayout llama(LlamaConfig config) {
        return new ModelLayout(Architecture.llama(config), TaskType.CAUSAL_LM, "model.", "model.embed_tokens",
                config.numAttentionHeads(), config.numKeyValueHeads(), config.headDim(), config.vocabSize());
    }

    static ModelLayout gpt2(Gpt2Config config) {
        return new ModelLayout(Architecture.gpt2(config), TaskType.CAUSAL_LM, "transformer.", "transformer.wte",
                config.nHead(), config.nHead(), config.headDim(), config.vocabSize());
    }
}
