package dev.peft4j.core.target;

import java.util.List;

/**
 * The module-selection fields a method's config shares with HF PEFT.
 *
 * @param targetModules HF {@code target_modules}; {@code null} for the architecture's defaults
 * @param excludeModules HF {@code exclude_modules}; {@code null} to exclude nothing
 * @param layersToTransform HF {@code layers_to_transform}: only modules inside these layer
 *     indices ({@code encoder.layer.N}); {@code null} or empty for every layer
 */
public record TargetSelection(TargetModules targetModules, TargetModules excludeModules, List<Integer> layersToTransform) {

    /**
     * Copies the layer list.
     *
     * @throws IllegalArgumentException for a negative layer index
     */
    public TargetSelection {
        layersToTransform = layersToTransform == null ? List.of() : List.copyOf(layersToTransform);
        for (int layer : layersToTransform) {
            if (layer < 0) {
                throw new IllegalArgumentException("layers_to_transform entries must be >= 0, got " + layersToTransform);
            }
        }
    }

    /**
     * @param targetModules what to target, {@code null} for the defaults
     * @return a selection that excludes nothing and covers every layer
     */
    public static TargetSelection of(TargetModules targetModules) {
        return new TargetSelection(targetModules, null, null);
    }
}
