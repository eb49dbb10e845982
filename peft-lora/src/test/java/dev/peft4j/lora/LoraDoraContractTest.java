package dev.peft4j.lora;

import dev.peft4j.core.spi.PeftConfig;

/**
 * DoRA ({@code use_dora: true}) under the method contract: LoRA's preset plus one magnitude vector
 * {@code m (h)} per target.
 */
class LoraDoraContractTest extends LoraContractTest {

    @Override
    protected PeftConfig tinyConfig() {
        return preset(true);
    }

    /** LoRA's 1,024 + 2 layers x 2 targets x 16, plus the classifier copy. */
    @Override
    protected long tinyTrainableParameters() {
        return 2 * 2 * (2 * 8 * 16 + 16) + TINY_CLASSIFIER;
    }

    @Override
    protected PeftConfig miniLmConfig() {
        return preset(true);
    }

    /** LoRA's 73,728 + 6 layers x 2 targets x 384 = 78,336, plus the classifier copy: 79,106. */
    @Override
    protected long miniLmTrainableParameters() {
        return 6 * 2 * (2 * 8 * 384 + 384) + MINILM_CLASSIFIER;
    }

    @Override
    protected boolean isMethodParameter(String path) {
        return super.isMethodParameter(path) || path.matches(".*\\.lora_magnitude_vector\\.default");
    }
}
