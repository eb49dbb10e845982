package dev.peft4j.lora;

import ai.djl.nn.Block;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.spi.AdapterSwitch;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.Objects;

/**
 * Builds a {@link LoraLayer} ({@link LoraLayer#builder()}): {@code set*} required, {@code opt*}
 * optional (DJL's convention). Not thread-safe.
 */
public final class LoraLayerBuilder {

    LoraBaseLayer base;
    Integer rank;
    AdapterSwitch adapterSwitch;
    double alpha = 8;
    double dropout;
    boolean useRslora;
    boolean useDora;
    InitLoraWeights init = InitLoraWeights.KAIMING;
    String adapterName = InjectionContext.DEFAULT_ADAPTER;

    LoraLayerBuilder() {}

    /**
     * @param base the initialized layer to wrap, a {@link Linear} (weight {@code (out, in)}) or a
     *     {@link dev.peft4j.core.model.Conv1D} (weight {@code (in, out)}, HF's {@code fan_in_fan_out})
     * @return this
     * @throws IllegalArgumentException if LoRA cannot wrap the block
     */
    public LoraLayerBuilder setBase(Block base) {
        LoraBaseLayer view = LoraBaseLayer.of(base);
        if (view == null) {
            throw new IllegalArgumentException("LoRA wraps Linear and Conv1D layers only, got a " + base.getClass().getSimpleName());
        }
        this.base = view;
        return this;
    }

    /**
     * @param rank {@code r}, &gt; 0
     * @return this
     */
    public LoraLayerBuilder setRank(int rank) {
        this.rank = rank;
        return this;
    }

    /**
     * @param adapterSwitch the model's switch, consulted on every forward pass
     * @return this
     */
    public LoraLayerBuilder setAdapterSwitch(AdapterSwitch adapterSwitch) {
        this.adapterSwitch = adapterSwitch;
        return this;
    }

    /**
     * @param alpha {@code lora_alpha}, default 8
     * @return this
     */
    public LoraLayerBuilder optAlpha(double alpha) {
        this.alpha = alpha;
        return this;
    }

    /**
     * @param dropout {@code lora_dropout} in {@code [0, 1)}, default 0
     * @return this
     */
    public LoraLayerBuilder optDropout(double dropout) {
        this.dropout = dropout;
        return this;
    }

    /**
     * @param useRslora scale by {@code alpha / sqrt(r)}, default false
     * @return this
     */
    public LoraLayerBuilder optUseRslora(boolean useRslora) {
        this.useRslora = useRslora;
        return this;
    }

    /**
     * @param useDora add DoRA's magnitude vector ({@link LoraMagnitudeVector}), default false
     * @return this
     */
    public LoraLayerBuilder optUseDora(boolean useDora) {
        this.useDora = useDora;
        return this;
    }

    /**
     * @param init how {@code A} and {@code B} start, default {@link InitLoraWeights#KAIMING}
     * @return this
     */
    public LoraLayerBuilder optInit(InitLoraWeights init) {
        this.init = Objects.requireNonNull(init, "init");
        return this;
    }

    /**
     * @param adapterName the adapter's name, default {@code default}
     * @return this
     */
    public LoraLayerBuilder optAdapterName(String adapterName) {
        this.adapterName = adapterName;
        return this;
    }

    /**
     * @return the layer; call {@link LoraLayer#initialize} to allocate {@code A}, {@code B} (and
     *     DoRA's {@code m})
     * @throws IllegalArgumentException if a required value is missing ({@code LoraLayer needs setBase,
     *     setRank and setAdapterSwitch}), the rank is not positive ({@code lora.r must be > 0, got 0})
     *     or the dropout is outside {@code [0, 1)}
     */
    public LoraLayer build() {
        if (base == null || rank == null || adapterSwitch == null) {
            throw new IllegalArgumentException("LoraLayer needs setBase, setRank and setAdapterSwitch");
        }
        if (rank <= 0) {
            throw new IllegalArgumentException("lora.r must be > 0, got " + rank);
        }
        return new LoraLayer(this);
    }
}
