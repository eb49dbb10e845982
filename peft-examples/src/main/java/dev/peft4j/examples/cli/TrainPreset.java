package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.spi.PeftMethodProvider;

/**
 * The recipe {@code peft train --method X} runs when nothing else is given: fine-tuning MiniLM on
 * the Rotten Tomatoes sentences. It sits between the records' own defaults (HF's) and the
 * {@code --config} file in precedence.
 */
public final class TrainPreset {

    /** The recipe's AdamW learning rate for methods that recommend none. */
    static final double DEFAULT_LEARNING_RATE = 5e-4;

    private TrainPreset() {}

    /**
     * The method part: LoRA r=8, {@code lora_alpha} 16, {@code lora_dropout} 0.1 on query and
     * value; other methods keep their defaults.
     *
     * @param mapper for the JSON object
     * @param peftType the method's {@code peft_type}
     * @return config keys including {@code peft_type}
     */
    public static ObjectNode method(ObjectMapper mapper, String peftType) {
        ObjectNode preset = mapper.createObjectNode().put("peft_type", peftType);
        if ("LORA".equals(peftType)) {
            preset.put("r", 8).put("lora_alpha", 16.0).put("lora_dropout", 0.1);
            preset.putArray("target_modules").add("query").add("value");
        }
        return preset;
    }

    /**
     * The recipe part: AdamW lr 5e-4 unless the provider recommends another (5e-5 for full
     * fine-tuning), weight decay 0.01, 6% warm-up then linear decay, gradients clipped at norm
     * 1.0, batch 32, 64 tokens, 1 epoch, seed 0.
     *
     * @param mapper for the JSON object
     * @param provider the method
     * @return recipe keys
     */
    public static ObjectNode recipe(ObjectMapper mapper, PeftMethodProvider<?> provider) {
        return mapper.createObjectNode()
                .put("lr", provider.recommendedLearningRate().orElse(DEFAULT_LEARNING_RATE))
                .put("weight_decay", 0.01)
                .put("warmup_ratio", 0.06)
                .put("max_grad_norm", 1.0)
                .put("batch_size", 32)
                .put("max_length", 64)
                .put("epochs", 1)
                .put("seed", 0);
    }
}
