package dev.peft4j.core.model;

/**
 * What the model's head computes, with HF PEFT's {@code task_type} names. It decides the root
 * of checkpoint keys: {@code base_model.model.bert.*} for {@link #SEQ_CLS},
 * {@code base_model.model.*} for {@link #FEATURE_EXTRACTION}.
 */
public enum TaskType {
    /** The bare encoder: hidden states and (mean-pooled) sentence embeddings. */
    FEATURE_EXTRACTION,
    /** Sentence classification through a {@code classifier} head. */
    SEQ_CLS
}
