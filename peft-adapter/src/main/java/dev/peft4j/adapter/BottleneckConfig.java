package dev.peft4j.adapter;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.target.TargetSelection;
import java.util.List;

/**
 * The configuration of bottleneck adapters ({@code peft_type} {@code BOTTLENECK}, peft4j's own
 * type: HF PEFT has no bottleneck adapters). Each adapter maps hidden states {@code (batch, seq, d)}
 * to {@code h + scaling * (W_up f(W_down h + b_down) + b_up)} with {@code W_down (m, d)},
 * {@code W_up (d, m)} and {@code m = d / reduction_factor} (or {@code bottleneck_size}):
 * {@code 2 d m + d + m} parameters per adapter. Keys, meanings and per-placement defaults are
 * AdapterHub's ({@code BnConfig} and its presets), except {@code init_weights}, whose default here
 * makes a fresh adapter an exact no-op.
 *
 * <p>Every component is boxed: an absent JSON key arrives as {@code null} and takes the
 * placement's default. Keys AdapterHub has and this record lacks ({@code ln_before},
 * {@code use_gating}, {@code phm_layer}, ...) are accepted from lenient reads only at their "off"
 * value, see {@link BottleneckProvider#hfIgnorableDefaults()}.
 *
 * @param placement where adapters sit: {@link BottleneckPlacement#PFEIFFER} (default),
 *     {@link BottleneckPlacement#HOULSBY} or {@link BottleneckPlacement#PARALLEL}
 * @param reductionFactor {@code d / m}, &gt; 0; default 16 (2 for {@code parallel}); left
 *     {@code null} when only {@code bottleneck_size} is given
 * @param bottleneckSize the bottleneck width {@code m}, &gt; 0, instead of a factor; default
 *     {@code null}. Given together with {@code reduction_factor}, the two must agree for the
 *     model's hidden size (checked when applied)
 * @param nonLinearity {@code f}: {@code relu} (default), {@code swish} for {@code houlsby}
 * @param initWeights how the projections start; default {@link BottleneckInit#ZERO_UP}
 * @param scaling the factor on the adapter's output, finite; default 1.0 (4.0 for
 *     {@code parallel})
 * @param modulesToSave further modules trained and saved whole; default empty
 * @param layersToTransform only these layer indices get adapters; default {@code null} (all).
 *     AdapterHub names the complement {@code leave_out}. A single JSON integer is read as a
 *     one-element list
 */
public record BottleneckConfig(
        @JsonProperty("placement") BottleneckPlacement placement,
        @JsonProperty("reduction_factor") Integer reductionFactor,
        @JsonProperty("bottleneck_size") Integer bottleneckSize,
        @JsonProperty("non_linearity") BottleneckNonLinearity nonLinearity,
        @JsonProperty("init_weights") BottleneckInit initWeights,
        @JsonProperty("scaling") Double scaling,
        @JsonProperty("modules_to_save") List<String> modulesToSave,
        @JsonProperty("layers_to_transform") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                List<Integer> layersToTransform)
        implements PeftConfig {

    /** peft4j's {@code peft_type} of bottleneck adapters. */
    public static final String PEFT_TYPE = "BOTTLENECK";

    /**
     * Fills the placement's defaults and validates.
     *
     * @throws IllegalArgumentException naming the key, the value and what is allowed, e.g.
     *     {@code bottleneck.reduction_factor must be > 0, got 0}
     */
    public BottleneckConfig {
        placement = placement == null ? BottleneckPlacement.PFEIFFER : placement;
        if (reductionFactor == null && bottleneckSize == null) {
            reductionFactor = placement.defaultReductionFactor();
        }
        nonLinearity = nonLinearity == null ? placement.defaultNonLinearity() : nonLinearity;
        initWeights = initWeights == null ? BottleneckInit.ZERO_UP : initWeights;
        scaling = scaling == null ? placement.defaultScaling() : scaling;
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
        layersToTransform = layersToTransform == null ? null : List.copyOf(layersToTransform);

        if (reductionFactor != null && reductionFactor <= 0) {
            throw new IllegalArgumentException("bottleneck.reduction_factor must be > 0, got " + reductionFactor);
        }
        if (bottleneckSize != null && bottleneckSize <= 0) {
            throw new IllegalArgumentException("bottleneck.bottleneck_size must be > 0, got " + bottleneckSize);
        }
        if (!Double.isFinite(scaling)) {
            throw new IllegalArgumentException("bottleneck.scaling must be a finite number, got " + scaling);
        }
        new TargetSelection(null, null, layersToTransform);
    }

    /** @return the {@code pfeiffer} config with every default */
    public static BottleneckConfig defaults() {
        return of(BottleneckPlacement.PFEIFFER);
    }

    /**
     * @param placement the placement
     * @return that placement with its defaults
     */
    public static BottleneckConfig of(BottleneckPlacement placement) {
        return new BottleneckConfig(placement, null, null, null, null, null, null, null);
    }

    /**
     * @param reductionFactor the new {@code reduction_factor}, or {@code null}
     * @param bottleneckSize the new {@code bottleneck_size}, or {@code null}
     * @return this config with the bottleneck width changed
     */
    public BottleneckConfig withWidth(Integer reductionFactor, Integer bottleneckSize) {
        return new BottleneckConfig(placement, reductionFactor, bottleneckSize, nonLinearity, initWeights, scaling,
                modulesToSave, layersToTransform);
    }

    /**
     * @param initWeights the new {@code init_weights}
     * @return this config with another initialisation
     */
    public BottleneckConfig withInitWeights(BottleneckInit initWeights) {
        return new BottleneckConfig(placement, reductionFactor, bottleneckSize, nonLinearity, initWeights, scaling,
                modulesToSave, layersToTransform);
    }

    /**
     * @param layersToTransform the new {@code layers_to_transform}, or {@code null} for all
     * @return this config adapting only those layers
     */
    public BottleneckConfig withLayersToTransform(List<Integer> layersToTransform) {
        return new BottleneckConfig(placement, reductionFactor, bottleneckSize, nonLinearity, initWeights, scaling,
                modulesToSave, layersToTransform);
    }

    /**
     * The bottleneck width {@code m} for a model: {@code bottleneck_size}, or
     * {@code floor(d / reduction_factor)} as AdapterHub's {@code int(hidden_size // reduction_factor)}.
     *
     * @param hiddenSize the model's hidden size {@code d}
     * @return {@code m}, &gt; 0
     * @throws IllegalArgumentException if {@code reduction_factor} exceeds {@code d}
     *     ({@code bottleneck.reduction_factor 32 leaves no bottleneck for hidden size 16 (16 / 32 = 0);
     *     use a smaller factor or bottleneck_size}; AdapterHub silently uses 1), or both keys are
     *     given and disagree
     */
    public int bottleneckSizeFor(int hiddenSize) {
        if (reductionFactor == null) {
            return bottleneckSize;
        }
        int fromFactor = hiddenSize / reductionFactor;
        if (bottleneckSize != null && bottleneckSize != fromFactor) {
            throw new IllegalArgumentException("bottleneck.bottleneck_size " + bottleneckSize + " disagrees with reduction_factor "
                    + reductionFactor + " for hidden size " + hiddenSize + " (" + hiddenSize + " / " + reductionFactor + " = "
                    + fromFactor + "); give only one of them");
        }
        if (fromFactor == 0) {
            throw new IllegalArgumentException("bottleneck.reduction_factor " + reductionFactor + " leaves no bottleneck for hidden size "
                    + hiddenSize + " (" + hiddenSize + " / " + reductionFactor + " = 0); use a smaller factor or bottleneck_size");
        }
        return fromFactor;
    }
}
