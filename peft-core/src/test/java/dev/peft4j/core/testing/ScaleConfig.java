package dev.peft4j.core.testing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.target.TargetSelection;
import java.util.List;

/**
 * Config of a test-only method that scales the outputs of targeted linear layers by a trainable
 * vector (like IA3, Liu et al. 2022), initialised to ones so a fresh adapter is the identity.
 */
public record ScaleConfig(
        @JsonProperty("target_modules") TargetModules targetModules,
        @JsonProperty("exclude_modules") TargetModules excludeModules,
        @JsonProperty("layers_to_transform") List<Integer> layersToTransform,
        @JsonProperty("modules_to_save") List<String> modulesToSave)
        implements PeftConfig {

    /** Fills defaults. */
    public ScaleConfig {
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
    }

    /**
     * @param targets what to target
     * @return a config with no exclusions or saved modules
     */
    public static ScaleConfig of(TargetModules targets) {
        return new ScaleConfig(targets, null, null, null);
    }

    /** @return the selection fields */
    public TargetSelection selection() {
        return new TargetSelection(targetModules, excludeModules, layersToTransform);
    }
}
