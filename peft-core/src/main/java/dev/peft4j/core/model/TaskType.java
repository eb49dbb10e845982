package dev.peft4j.core.model;

/**
 * What the model's head computes, with HF PEFT's {@code task_type} names. It decides the root
 * of checkpoint keys: {@code base_model.model.bert.*} for {@link #SEQ_CLS},
 * {@code base_model.model.*} for {@link #FEATURE_EXTRACTION}, and the full HF module path from the
 * {@code *ForCausalLM} root for {@link #CAUSAL_LM} ({@code base_model.model.model.layers.0...} for
 * Llama, {@code base_model.model.transformer.h.0...} for GPT-2).
 */
public enum TaskType {
    /** The bare encoder: hidden states and (mean-pooled) sentence embeddings. */
    FEATURE_EXTRACTION,
    /** Sentence classification through a {@code classifier} head. */
    SEQ_CLS,
    /** A decoder language model: next-token logits {@code (batch, seq, vocab)} from {@code lm_head}. */
    CAUSAL_LM
}
