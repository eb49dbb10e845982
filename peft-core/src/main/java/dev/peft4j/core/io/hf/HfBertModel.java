package dev.peft4j.core.io.hf;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.BertConfig;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A BERT model loaded from an HF model directory.
 *
 * @param config the parsed {@code config.json}
 * @param weights every floating-point tensor of {@code model.safetensors} as fp32, keyed by its
 *     state-dict name with a leading {@code bert.} removed, in file order; nothing else is
 *     filtered ({@code pooler.*}, {@code classifier.*} stay: the model decides what it uses);
 *     unmodifiable
 * @param tokenizerJson the directory's {@code tokenizer.json}, if present
 * @param skippedTensors tensors not loaded because their dtype is not floating point (e.g. the
 *     {@code I64} buffer {@code embeddings.position_ids} of older checkpoints), original names
 */
public record HfBertModel(
        BertConfig config, Map<String, HostTensor> weights, Optional<Path> tokenizerJson, List<String> skippedTensors) {

    /** Copies the collections, keeping the weight order. */
    public HfBertModel {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        skippedTensors = List.copyOf(skippedTensors);
    }
}
