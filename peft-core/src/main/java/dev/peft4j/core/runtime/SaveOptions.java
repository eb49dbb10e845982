package dev.peft4j.core.runtime;

/**
 * How {@link PeftModel#savePretrained(java.nio.file.Path, SaveOptions)} writes an adapter.
 *
 * @param baseModelNameOrPath HF's {@code base_model_name_or_path} (e.g.
 *     {@code sentence-transformers/all-MiniLM-L6-v2}), or {@code null} (HF writes {@code null}
 *     for a model without a name)
 * @param promptEncoderParameters {@code false} (HF PEFT's format, for inference): a prompt-learning
 *     adapter is saved as the one tensor {@code prompt_embeddings}, the prefix after the projection
 *     network; {@code true}: its raw trainable parameters are saved instead, keyed like every other
 *     parameter ({@code base_model.model.bert.prompt_encoder.embedding.weight},
 *     {@code ...prompt_encoder.transform.0.weight}), so training can resume with the projection
 *     network (training checkpoints). Both load with {@link PeftRuntime#fromPretrained}.
 */
public record SaveOptions(String baseModelNameOrPath, boolean promptEncoderParameters) {

    /** @return HF PEFT's format, no base model name */
    public static SaveOptions defaults() {
        return new SaveOptions(null, false);
    }

    /**
     * @param name HF's {@code base_model_name_or_path}
     * @return a copy with the name set
     */
    public SaveOptions withBaseModel(String name) {
        return new SaveOptions(name, promptEncoderParameters);
    }

    /** @return a copy that saves a prompt encoder's raw parameters (training checkpoints) */
    public SaveOptions withPromptEncoderParameters() {
        return new SaveOptions(baseModelNameOrPath, true);
    }
}
