package dev.peft4j.core.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import java.util.Map;

/**
 * Fresh weights for a decoder as HF transformers' {@code _init_weights} draws them: every
 * {@link Linear}, {@link Conv1D} and {@link Embedding} weight from {@code N(0, initializer_range^2)},
 * biases 0, norm weights 1 (their parameter types' defaults); for GPT-2 additionally every
 * {@code c_proj} weight from {@code N(0, (initializer_range / sqrt(2 n_layer))^2)} (GPT-2 paper,
 * section 2.3, HF's {@code GPT2PreTrainedModel._init_weights}).
 */
final class DecoderInitialization {

    private DecoderInitialization() {}

    /**
     * Sets the initializers (before {@link Block#initialize}).
     *
     * @param root the model's root
     * @param std {@code initializer_range}
     * @param residualLayers {@code n_layer} to scale {@code c_proj} weights by {@code 1/sqrt(2 n_layer)}, or 0 for none
     */
    static void set(Block root, double std, int residualLayers) {
        for (Map.Entry<String, Parameter> entry : Parameters.byName(root).entrySet()) {
            Parameter parameter = entry.getValue();
            if (parameter.getType() != Parameter.Type.WEIGHT) {
                continue;
            }
            boolean residual = residualLayers > 0 && entry.getKey().endsWith("c_proj.weight");
            double sigma = residual ? std / Math.sqrt(2.0 * residualLayers) : std;
            parameter.setInitializer(new NormalInitializer((float) sigma));
        }
    }
}
