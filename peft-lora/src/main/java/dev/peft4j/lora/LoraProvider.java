package dev.peft4j.lora;

import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Provides LoRA ({@code peft_type} {@code LORA}, alias {@code lora}), discovered through
 * {@code META-INF/services/dev.peft4j.core.spi.PeftMethodProvider}.
 */
public final class LoraProvider implements PeftMethodProvider<LoraConfig> {

    /** The CLI name of LoRA. */
    public static final String ALIAS = "lora";

    @Override
    public String peftType() {
        return LoraConfig.PEFT_TYPE;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public Class<LoraConfig> configType() {
        return LoraConfig.class;
    }

    @Override
    public LoraMethod create(LoraConfig config) {
        return new LoraMethod(config);
    }

    /**
     * The keys of HF PEFT's {@code LoraConfig} (as of PEFT 0.20) that {@link LoraConfig} does not
     * model and the runtime's common table does not list, each with HF's default: every one turns on
     * a LoRA variant, an initialisation or an integration peft4j lacks. {@code use_dora} is modelled
     * by {@link LoraConfig}, so the common table's entry for it never applies to LoRA.
     *
     * @return key to HF default
     */
    @Override
    public Map<String, Object> hfIgnorableDefaults() {
        Map<String, Object> keys = new HashMap<>();
        keys.put("eva_config", null);
        keys.put("corda_config", null);
        keys.put("lora_ga_config", null);
        keys.put("velora_config", null);
        keys.put("monteclora_config", null);
        keys.put("kasa_config", null);
        keys.put("arrow_config", null);
        keys.put("use_bdlora", null);
        keys.put("alora_invocation_tokens", null);
        keys.put("use_qalora", false);
        keys.put("qalora_group_size", 16);
        keys.put("lora_bias", false);
        keys.put("target_parameters", null);
        keys.put("ensure_weight_tying", false);
        return Collections.unmodifiableMap(keys);
    }

    @Override
    public String description() {
        return "LoRA: low-rank update B A beside frozen Linear layers (rsLoRA via use_rslora, DoRA via use_dora)";
    }

    /** @return {@link LoraMemoryModel} */
    @Override
    public java.util.Optional<dev.peft4j.core.spi.MemoryModel<LoraConfig>> memoryModel() {
        return java.util.Optional.of(new LoraMemoryModel());
    }

    /** @return {@link LoraWeightedCombination} behind the SPI ({@code linear}, {@code cat}, {@code svd}) */
    @Override
    public java.util.Optional<dev.peft4j.core.spi.AdapterCombiner> adapterCombiner() {
        return java.util.Optional.of(new LoraAdapterCombiner());
    }
}
