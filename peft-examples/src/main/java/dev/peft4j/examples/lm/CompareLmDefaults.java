package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The recipe of {@code peft compare-lm} and its {@code --quick} smoke version. Method settings
 * (HF PEFT's keys, defaults otherwise; {@code target_modules} default for Llama, {@code q_proj} and
 * {@code v_proj}): {@code full} lr 1e-3; {@code lora} r 8, {@code lora_alpha} 16, dropout 0.05, lr 3e-3;
 * {@code bottleneck} the provider's defaults, lr 3e-3; {@code prefix} and {@code prompt} 16 virtual
 * tokens, lr 1e-2 and 3e-2 (HF PEFT's examples for prompt learning use 1e-2 to 3e-2). Our base is
 * small and was pre-trained at 3e-3, so the PEFT rates sit at or above it, and full fine-tuning
 * at a third of it.
 */
public final class CompareLmDefaults {

    /** The methods in the order they run by default. */
    public static final List<String> METHODS = List.of("full", "lora", "bottleneck", "prefix", "prompt");

    /** The prompt every sample continues: a fortune-style opening. */
    public static final String PROMPT = "The secret of life is";

    private CompareLmDefaults() {}

    /**
     * @param runtime the installed methods
     * @param quick {@code --quick}: the quick base, 30 updates, 40 / 40 evaluation windows, 64-byte samples
     * @param methods the aliases or {@code peft_type}s to run, in order; null for {@link #METHODS}
     * @return the recipe
     * @throws IllegalArgumentException for an unknown method (the runtime's message, listing the known
     *     ones) or one named twice
     */
    public static CompareLmRecipe recipe(PeftRuntime runtime, boolean quick, List<String> methods) {
        ObjectMapper mapper = runtime.objectMapper();
        Map<String, Function<ObjectNode, Double>> presets = new LinkedHashMap<>();
        presets.put("full", config -> 1e-3);
        presets.put("lora", config -> {
            config.put("r", 8).put("lora_alpha", 16.0).put("lora_dropout", 0.05);
            return 3e-3;
        });
        presets.put("bottleneck", config -> 3e-3);
        presets.put("prefix", config -> {
            config.put("num_virtual_tokens", 16);
            return 1e-2;
        });
        presets.put("prompt", config -> {
            config.put("num_virtual_tokens", 16);
            return 3e-2;
        });
        List<LmMethodPlan> plans = new ArrayList<>();
        for (String name : methods == null ? METHODS : methods) {
            var provider = runtime.provider(name);
            String alias = provider.alias();
            if (plans.stream().anyMatch(p -> p.alias().equals(alias))) {
                throw new IllegalArgumentException("--methods names " + alias + " twice");
            }
            ObjectNode config = mapper.createObjectNode().put("peft_type", provider.peftType());
            double lr = presets.getOrDefault(alias, c -> provider.recommendedLearningRate().orElse(1e-3)).apply(config);
            plans.add(new LmMethodPlan(alias, provider.peftType(), config, lr));
        }
        PretrainRecipe pretrain = quick ? PretrainRecipe.quick() : PretrainRecipe.standard();
        return quick
                ? new CompareLmRecipe(pretrain, 30, 8, 128, 0, 0.1, 0.0, 1.0, 40, 40, PROMPT, 64, 0.8, 40, 0.95, "1g", 10, plans)
                : new CompareLmRecipe(pretrain, 200, 16, 128, 0, 0.06, 0.0, 1.0, 200, 400, PROMPT, 160, 0.8, 40, 0.95, "1g", 30,
                        plans);
    }
}
