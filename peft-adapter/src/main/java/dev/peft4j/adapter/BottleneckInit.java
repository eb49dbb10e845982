package dev.peft4j.adapter;

import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a bottleneck adapter's projections start, AdapterHub's {@code init_weights} ({@code Adapter}
 * in {@code methods/modeling.py}). Random draws come from the engine's generator.
 */
public enum BottleneckInit {
    /**
     * JSON {@code zero_up} (peft4j's default; AdapterHub's {@code mam_adapter}, the default of its
     * parallel preset, also read as {@code mam_adapter}): {@code W_down ~ U(-1/sqrt(d), 1/sqrt(d))}
     * (PyTorch's Kaiming-uniform with {@code a = sqrt(5)}), {@code b_down = 0}, {@code W_up = 0},
     * {@code b_up = 0}, so a fresh adapter adds exactly zero and the model is unchanged.
     */
    ZERO_UP("zero_up"),
    /**
     * JSON {@code bert} (AdapterHub's default for its sequential presets): every weight
     * {@code ~ N(0, 0.02)}, biases 0 ({@code init_bert_weights}); a fresh adapter already perturbs
     * the model slightly.
     */
    BERT("bert"),
    /**
     * JSON {@code houlsby}: every weight from {@code N(0, 0.01)} truncated to {@code [-0.02, 0.02]},
     * biases 0 (Houlsby et al. 2019, section 2.1: near-identity initialisation).
     */
    HOULSBY("houlsby");

    private final String json;

    BottleneckInit(String json) {
        this.json = json;
    }

    /** @return the JSON spelling */
    @JsonValue
    public String json() {
        return json;
    }

    /**
     * @param hiddenSize the adapter's input width {@code d}
     * @return the initializer of {@code W_down (m, d)}
     */
    Initializer downWeight(int hiddenSize) {
        return switch (this) {
            case ZERO_UP -> new UniformInitializer((float) (1 / Math.sqrt(hiddenSize)));
            case BERT -> new NormalInitializer(0.02f);
            case HOULSBY -> new TruncatedNormalInitializer(0.01f);
        };
    }

    /** @return the initializer of {@code W_up (d, m)} */
    Initializer upWeight() {
        return switch (this) {
            case ZERO_UP -> Initializer.ZEROS;
            case BERT -> new NormalInitializer(0.02f);
            case HOULSBY -> new TruncatedNormalInitializer(0.01f);
        };
    }

    /**
     * @param json {@code zero_up}, {@code mam_adapter}, {@code bert} or {@code houlsby}
     * @return the initialisation
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    @JsonCreator
    public static BottleneckInit fromJson(String json) {
        if ("mam_adapter".equals(json)) {
            return ZERO_UP;
        }
        for (BottleneckInit init : values()) {
            if (init.json.equals(json)) {
                return init;
            }
        }
        throw new IllegalArgumentException("bottleneck.init_weights must be one of [zero_up, bert, houlsby]"
                + " (mam_adapter reads as zero_up), got '" + json + "'");
    }
}
