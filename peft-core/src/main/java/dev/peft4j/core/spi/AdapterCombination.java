package dev.peft4j.core.spi;

import java.util.Objects;

/**
 * How {@link AdapterCombiner} combines adapters: HF PEFT's {@code combination_type},
 * {@code svd_rank} and {@code svd_clamp} arguments of {@code add_weighted_adapter}.
 *
 * @param adapterName the new adapter's name
 * @param combinationType the method's name for the combination (LoRA: {@code linear}, {@code cat},
 *     {@code svd}); the combiner rejects names it does not know, listing the ones it does
 * @param svdRank the rank of an SVD-based result, or {@code null} for the combiner's default
 * @param svdClamp the quantile at which SVD factors are clamped, or {@code null} for no clamping
 */
public record AdapterCombination(String adapterName, String combinationType, Integer svdRank, Double svdClamp) {

    /**
     * @throws NullPointerException if the name or type is {@code null}
     * @throws IllegalArgumentException {@code svd_rank must be > 0, got 0};
     *     {@code svd_clamp must be in [0, 1], got 1.5}
     */
    public AdapterCombination {
        Objects.requireNonNull(adapterName, "adapterName");
        Objects.requireNonNull(combinationType, "combinationType");
        if (svdRank != null && svdRank <= 0) {
            throw new IllegalArgumentException("svd_rank must be > 0, got " + svdRank);
        }
        if (svdClamp != null && !(svdClamp >= 0 && svdClamp <= 1)) {
            throw new IllegalArgumentException("svd_clamp must be in [0, 1], got " + svdClamp);
        }
    }

    /**
     * @param adapterName the new adapter's name
     * @param combinationType the combination's name
     * @return a combination with the default SVD rank and no clamping
     */
    public static AdapterCombination of(String adapterName, String combinationType) {
        return new AdapterCombination(adapterName, combinationType, null, null);
    }
}
