package dev.peft4j.lora;

import dev.peft4j.core.target.TargetModules;
import dev.peft4j.lora.LoraConfig.Bias;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link LoraConfig} from Java ({@link LoraConfig#builder()}, {@link LoraConfig#toBuilder()}):
 * each setter sets the JSON key of the same meaning; unset values take HF PEFT's defaults and
 * {@link #build()} validates. Not thread-safe.
 */
public final class LoraConfigBuilder {

    private Integer r;
    private TargetModules targetModules;
    private TargetModules excludeModules;
    private Double loraAlpha;
    private Double loraDropout;
    private Boolean fanInFanOut;
    private Bias bias;
    private Boolean useRslora;
    private Boolean useDora;
    private List<String> modulesToSave;
    private InitLoraWeights initLoraWeights;
    private List<Integer> layersToTransform;
    private Map<String, Integer> rankPattern;
    private Map<String, Double> alphaPattern;

    LoraConfigBuilder() {}

    LoraConfigBuilder(LoraConfig from) {
        r = from.r();
        targetModules = from.targetModules();
        excludeModules = from.excludeModules();
        loraAlpha = from.loraAlpha();
        loraDropout = from.loraDropout();
        fanInFanOut = from.fanInFanOut();
        bias = from.bias();
        useRslora = from.useRslora();
        useDora = from.useDora();
        modulesToSave = from.modulesToSave();
        initLoraWeights = from.initLoraWeights();
        layersToTransform = from.layersToTransform();
        rankPattern = from.rankPattern();
        alphaPattern = from.alphaPattern();
    }

    /**
     * @param value {@code r}
     * @return this
     */
    public LoraConfigBuilder r(int value) {
        r = value;
        return this;
    }

    /**
     * @param value {@code target_modules}, {@code null} for the defaults
     * @return this
     */
    public LoraConfigBuilder targetModules(TargetModules value) {
        targetModules = value;
        return this;
    }

    /**
     * @param names {@code target_modules} as a list of names
     * @return this
     */
    public LoraConfigBuilder targetModules(String... names) {
        return targetModules(TargetModules.names(names));
    }

    /**
     * @param value {@code exclude_modules}
     * @return this
     */
    public LoraConfigBuilder excludeModules(TargetModules value) {
        excludeModules = value;
        return this;
    }

    /**
     * @param value {@code lora_alpha}
     * @return this
     */
    public LoraConfigBuilder loraAlpha(double value) {
        loraAlpha = value;
        return this;
    }

    /**
     * @param value {@code lora_dropout}
     * @return this
     */
    public LoraConfigBuilder loraDropout(double value) {
        loraDropout = value;
        return this;
    }

    /**
     * @param value {@code fan_in_fan_out}
     * @return this
     */
    public LoraConfigBuilder fanInFanOut(boolean value) {
        fanInFanOut = value;
        return this;
    }

    /**
     * @param value {@code bias}
     * @return this
     */
    public LoraConfigBuilder bias(Bias value) {
        bias = value;
        return this;
    }

    /**
     * @param value {@code use_rslora}
     * @return this
     */
    public LoraConfigBuilder useRslora(boolean value) {
        useRslora = value;
        return this;
    }

    /**
     * @param value {@code use_dora}
     * @return this
     */
    public LoraConfigBuilder useDora(boolean value) {
        useDora = value;
        return this;
    }

    /**
     * @param value {@code modules_to_save}
     * @return this
     */
    public LoraConfigBuilder modulesToSave(List<String> value) {
        modulesToSave = value;
        return this;
    }

    /**
     * @param value {@code init_lora_weights}
     * @return this
     */
    public LoraConfigBuilder initLoraWeights(InitLoraWeights value) {
        initLoraWeights = value;
        return this;
    }

    /**
     * @param value {@code layers_to_transform}
     * @return this
     */
    public LoraConfigBuilder layersToTransform(List<Integer> value) {
        layersToTransform = value;
        return this;
    }

    /**
     * @param value {@code rank_pattern}, in match order
     * @return this
     */
    public LoraConfigBuilder rankPattern(Map<String, Integer> value) {
        rankPattern = value;
        return this;
    }

    /**
     * @param value {@code alpha_pattern}, in match order
     * @return this
     */
    public LoraConfigBuilder alphaPattern(Map<String, Double> value) {
        alphaPattern = value;
        return this;
    }

    /**
     * @return the validated config
     * @throws IllegalArgumentException as the record's constructor
     */
    public LoraConfig build() {
        return new LoraConfig(r, targetModules, excludeModules, loraAlpha, loraDropout, fanInFanOut, bias,
                useRslora, useDora, modulesToSave, initLoraWeights, layersToTransform, rankPattern, alphaPattern);
    }
}
