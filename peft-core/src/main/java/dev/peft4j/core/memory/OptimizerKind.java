package dev.peft4j.core.memory;

import java.util.Arrays;
import java.util.Locale;

/**
 * The optimizer whose state memory is accounted, per trainable parameter.
 *
 * <p>With mixed precision (weights in fp16/bf16) every optimizer also keeps an fp32 master copy of
 * each trainable parameter (Micikevicius et al. 2018), counted here as optimizer state: AdamW then
 * costs {@code 2 (weight) + 2 (gradient) + 4 (master) + 4 + 4 (two moments) = 16} bytes per
 * trainable parameter, the figure of ZeRO (Rajbhandari et al. 2020, section 3.1).
 */
public enum OptimizerKind {
    /** AdamW (Loshchilov and Hutter 2019): two fp32 moments per parameter. */
    ADAMW("adamw", 8),
    /** Plain SGD: no state. */
    SGD("sgd", 0),
    /** SGD with momentum: one fp32 buffer per parameter. */
    SGD_MOMENTUM("sgd-momentum", 4);

    private final String json;
    private final int stateBytes;

    OptimizerKind(String json, int stateBytes) {
        this.json = json;
        this.stateBytes = stateBytes;
    }

    /** @return the CLI spelling */
    public String json() {
        return json;
    }

    /**
     * @param mixedPrecision whether trainable weights are held in fp16/bf16
     * @return bytes of optimizer state per trainable parameter, the fp32 master copy included
     */
    public int stateBytesPerParameter(boolean mixedPrecision) {
        return stateBytes + (mixedPrecision ? 4 : 0);
    }

    /**
     * @param text {@code adamw}, {@code sgd} or {@code sgd-momentum} (any case)
     * @return the optimizer
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static OptimizerKind parse(String text) {
        for (OptimizerKind kind : values()) {
            if (kind.json.equals(text == null ? null : text.toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("optimizer must be one of " + Arrays.stream(values()).map(OptimizerKind::json).toList()
                + ", got '" + text + "'");
    }
}
