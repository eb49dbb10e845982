package dev.peft4j.lora;

import dev.peft4j.core.contract.InvalidConfig;
import dev.peft4j.core.contract.PeftMethodContractTest;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.List;

/**
 * LoRA under the method contract, with the recipe's preset: r 8, alpha 16, dropout 0.1 on
 * {@code query} and {@code value}. Per target {@code A (r, h)} + {@code B (h, r)} = {@code 2 r h}.
 */
class LoraContractTest extends PeftMethodContractTest {

    /** The SEQ_CLS classifier copy on TinyBert: Linear(16, 2) with bias. */
    static final long TINY_CLASSIFIER = 16 * 2 + 2;
    /** The SEQ_CLS classifier copy on the MiniLM shape: Linear(384, 2) with bias. */
    static final long MINILM_CLASSIFIER = 384 * 2 + 2;

    /** @return the preset, with or without DoRA */
    static LoraConfig preset(boolean dora) {
        return LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.1).targetModules("query", "value").useDora(dora).build();
    }

    @Override
    protected PeftMethodProvider<?> provider() {
        return new LoraProvider();
    }

    @Override
    protected PeftConfig tinyConfig() {
        return preset(false);
    }

    /** 2 layers x 2 targets x 2 r h (r 8, h 16) = 1,024, plus the classifier copy. */
    @Override
    protected long tinyTrainableParameters() {
        return 2 * 2 * (2 * 8 * 16) + TINY_CLASSIFIER;
    }

    @Override
    protected PeftConfig miniLmConfig() {
        return preset(false);
    }

    /** 6 layers x 2 targets x 2 r h (r 8, h 384) = 73,728, plus the classifier copy: 74,498. */
    @Override
    protected long miniLmTrainableParameters() {
        return 6 * 2 * (2 * 8 * 384) + MINILM_CLASSIFIER;
    }

    @Override
    protected List<InvalidConfig> invalidConfigs() {
        return List.of(
                InvalidConfig.of("\"r\": 0", "lora.r must be > 0, got 0"),
                InvalidConfig.of("\"lora_dropout\": 1.0", "lora.lora_dropout must be in [0, 1), got 1.0"),
                InvalidConfig.of("\"bias\": \"some\"", "lora.bias must be one of [none, all, lora_only], got 'some'"),
                InvalidConfig.of("\"use_dora\": \"yes\"", "key 'use_dora' in LORA config must be a boolean, got \"yes\""),
                InvalidConfig.of("\"init_lora_weights\": \"pissa\"", "lora.init_lora_weights must be one of"
                        + " [true, false, \"gaussian\"], got \"pissa\" (HF's other initialisations are not implemented)"));
    }

    @Override
    protected boolean freshAdapterIsNoOp() {
        return true;
    }

    @Override
    protected boolean freezesBase() {
        return true;
    }

    @Override
    protected boolean isMethodParameter(String path) {
        return path.matches(".*\\.lora_[AB]\\.default\\.weight");
    }

    /** Plain LoRA, rsLoRA, {@code bias: all} (base biases saved too) and a rank pattern. */
    @Override
    protected List<PeftConfig> roundTripConfigs() {
        return List.of(preset(false),
                LoraConfig.builder().r(4).loraAlpha(8).targetModules("query", "value", "dense").useRslora(true).build(),
                LoraConfig.builder().r(2).targetModules("key").bias(LoraConfig.Bias.ALL).rankPattern(java.util.Map.of("layer.1", 3)).build());
    }
}
