package dev.peft4j.core.io.hf;

import dev.peft4j.core.io.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The floating-point tensors of an HF model directory, read by {@link HfWeightFiles#read}.
 *
 * @param tensors every F32, F16 and BF16 tensor as fp32 (16-bit floats widened exactly in Java),
 *     under its name in the file, in file order (shard by shard for a sharded checkpoint); unmodifiable
 * @param sourceFiles tensor name to the file name it was read from ({@code model.safetensors} or a
 *     shard such as {@code model-00001-of-00002.safetensors}), for error messages; unmodifiable
 * @param skippedTensors tensors not read because their dtype is not floating point (e.g. an
 *     {@code I64} {@code position_ids} buffer), original names
 */
public record HfWeights(Map<String, HostTensor> tensors, Map<String, String> sourceFiles, List<String> skippedTensors) {

    /** Copies the collections, keeping their order. */
    public HfWeights {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        sourceFiles = Collections.unmodifiableMap(new LinkedHashMap<>(sourceFiles));
        skippedTensors = List.copyOf(skippedTensors);
    }
}
