package dev.peft4j.core.train;

import dev.peft4j.core.io.HostTensor;
import java.util.Map;
import java.util.TreeMap;

/**
 * The complete state of an {@link AdamW} optimizer, exported to host memory: enough to continue
 * training bit-exactly. Tensor keys are the parameter's dotted path plus PyTorch's state names,
 * {@code <name>.exp_avg} (first moment {@code m}) and {@code <name>.exp_avg_sq} (second moment
 * {@code v}), each shaped as its parameter, so the map can be written as one safetensors file.
 *
 * @param step the number of updates taken ({@code t} of the bias corrections), &gt;= 0
 * @param tensors the moments, fp32, sorted by key
 */
public record AdamWState(long step, Map<String, HostTensor> tensors) {

    /** Suffix of the first-moment tensors. */
    public static final String EXP_AVG = ".exp_avg";

    /** Suffix of the second-moment tensors. */
    public static final String EXP_AVG_SQ = ".exp_avg_sq";

    /**
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public AdamWState {
        if (step < 0) {
            throw new IllegalArgumentException("AdamW step must be >= 0, got " + step);
        }
        tensors = java.util.Collections.unmodifiableMap(new TreeMap<>(tensors));
    }
}
