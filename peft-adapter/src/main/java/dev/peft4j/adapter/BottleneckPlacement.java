package dev.peft4j.adapter;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where bottleneck adapters sit in each post-LayerNorm transformer layer, and how their residual
 * and the layer's LayerNorm are arranged: AdapterHub's three bottleneck presets (adapters 1.x,
 * {@code configuration/adapter_config.py}), so results compare with theirs.
 *
 * <p>Inside a residual output block ({@code attention.output} or {@code output}), with
 * {@code x} the block's input, {@code r} its residual input (the sub-layer's input),
 * {@code y = dropout(dense(x))}, {@code LN} the block's pretrained LayerNorm and
 * {@code A(h) = scaling * (W_up f(W_down h + b_down) + b_up)}, the base computes
 * {@code LN(y + r)} and the adapted block computes (AdapterHub's {@code Adapter.pre_forward},
 * {@code forward}, {@code post_forward}):
 * <ul>
 *   <li>{@link #PFEIFFER}: {@code LN((A(LN(y + r)) + y) + r)} ({@code original_ln_before},
 *       {@code residual_before_ln}, {@code original_ln_after} all true);
 *   <li>{@link #HOULSBY}: {@code LN((A(y) + y) + r)} ({@code original_ln_before} false);
 *   <li>{@link #PARALLEL}: {@code LN((A(r) + y) + r)}: the adapter reads the feed-forward block's
 *       input {@code r}, beside {@code intermediate} and {@code output.dense}.
 * </ul>
 */
public enum BottleneckPlacement {
    /**
     * Pfeiffer et al. 2020 ("AdapterFusion", arXiv 2005.00247), AdapterHub's {@code SeqBnConfig}
     * ({@code seq_bn}, formerly {@code pfeiffer}): one adapter per layer after the feed-forward
     * output; defaults {@code reduction_factor} 16, {@code relu}, {@code scaling} 1.0.
     */
    PFEIFFER("pfeiffer", "seq_bn", 16, BottleneckNonLinearity.RELU, 1.0),
    /**
     * Houlsby et al. 2019 ("Parameter-Efficient Transfer Learning for NLP", arXiv 1902.00751),
     * AdapterHub's {@code DoubleSeqBnConfig} ({@code double_seq_bn}, formerly {@code houlsby}): one
     * adapter after the attention output and one after the feed-forward output; defaults
     * {@code reduction_factor} 16, {@code swish}, {@code scaling} 1.0.
     */
    HOULSBY("houlsby", "double_seq_bn", 16, BottleneckNonLinearity.SWISH, 1.0),
    /**
     * He et al. 2021 ("Towards a Unified View of Parameter-Efficient Transfer Learning", arXiv
     * 2110.04366), AdapterHub's {@code ParBnConfig} ({@code par_bn}, formerly {@code parallel}):
     * one adapter per layer beside the feed-forward block; defaults {@code reduction_factor} 2,
     * {@code relu}, {@code scaling} 4.0.
     */
    PARALLEL("parallel", "par_bn", 2, BottleneckNonLinearity.RELU, 4.0);

    private final String json;
    private final String adapterHubName;
    private final int defaultReductionFactor;
    private final BottleneckNonLinearity defaultNonLinearity;
    private final double defaultScaling;

    BottleneckPlacement(String json, String adapterHubName, int defaultReductionFactor,
            BottleneckNonLinearity defaultNonLinearity, double defaultScaling) {
        this.json = json;
        this.adapterHubName = adapterHubName;
        this.defaultReductionFactor = defaultReductionFactor;
        this.defaultNonLinearity = defaultNonLinearity;
        this.defaultScaling = defaultScaling;
    }

    /** @return the JSON spelling: {@code pfeiffer}, {@code houlsby} or {@code parallel} */
    @JsonValue
    public String json() {
        return json;
    }

    /** @return AdapterHub's current config name: {@code seq_bn}, {@code double_seq_bn} or {@code par_bn} */
    public String adapterHubName() {
        return adapterHubName;
    }

    /** @return AdapterHub's {@code reduction_factor} for this preset */
    public int defaultReductionFactor() {
        return defaultReductionFactor;
    }

    /** @return AdapterHub's {@code non_linearity} for this preset */
    public BottleneckNonLinearity defaultNonLinearity() {
        return defaultNonLinearity;
    }

    /** @return AdapterHub's {@code scaling} for this preset */
    public double defaultScaling() {
        return defaultScaling;
    }

    /** @return whether an adapter also follows the attention output ({@code mh_adapter}) */
    public boolean adaptsAttentionOutput() {
        return this == HOULSBY;
    }

    /**
     * @param json {@code pfeiffer}, {@code houlsby}, {@code parallel}, or AdapterHub's
     *     {@code seq_bn}, {@code double_seq_bn}, {@code par_bn}
     * @return the placement
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    @JsonCreator
    public static BottleneckPlacement fromJson(String json) {
        for (BottleneckPlacement placement : values()) {
            if (placement.json.equals(json) || placement.adapterHubName.equals(json)) {
                return placement;
            }
        }
        throw new IllegalArgumentException("bottleneck.placement must be one of [pfeiffer, houlsby, parallel]"
                + " (or AdapterHub's seq_bn, double_seq_bn, par_bn), got '" + json + "'");
    }
}
