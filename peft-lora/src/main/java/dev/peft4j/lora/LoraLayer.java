package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.peft4j.core.model.Dropout;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.spi.AdapterSwitch;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.Objects;

/**
 * A {@link Linear} with a LoRA update (Hu et al. 2021, eq. 3): {@code h = W0 x + scaling * B A x},
 * HF PEFT's {@code lora.Linear}.
 *
 * <p>Children, as HF's module tree (adapter-keyed dictionaries): {@code base_layer} (the frozen
 * {@code Linear}, weight {@code (out, in)}), {@code lora_dropout.<adapter>} (a core {@link Dropout}),
 * {@code lora_A.<adapter>} ({@code Linear(in, r)} without bias, weight {@code A (r, in)}) and
 * {@code lora_B.<adapter>} ({@code Linear(r, out)} without bias, weight {@code B (out, r)}). So
 * parameter paths read {@code <path>.lora_A.default.weight}, which checkpoints save as
 * {@code <path>.lora_A.weight} (adapter name stripped, as HF).
 *
 * <p>Input {@code (..., in)}, output {@code (..., out)}:
 * {@code base(x) + B(A(dropout(x))) * scaling}, {@code scaling = alpha / r}, or
 * {@code alpha / sqrt(r)} with rsLoRA (Kalajdzievski 2023). While the model's
 * {@link AdapterSwitch} is off the output is exactly {@code base(x)}; if the layer is merged at that
 * moment it is unmerged first, as HF's forward does.
 *
 * <p>{@link #merge()} folds the update into the base weight ({@code W0 += scaling * B A}) so the
 * forward pass skips the LoRA path; {@link #unmerge()} subtracts it again. Both mutate the base
 * weight in place: call them outside a {@code GradientCollector}.
 *
 * <p>{@link #initialize} allocates {@code A} and {@code B} (the base layer keeps its values) with
 * the configured {@link InitLoraWeights}; random draws come from the engine's generator.
 */
public final class LoraLayer extends ModuleBlock {

    private static final String BASE_LAYER = "base_layer";

    private final AdapterSwitch adapterSwitch;
    private final String adapterName;
    private final int rank;
    private final double alpha;
    private final double scaling;
    private final Linear base;
    private final Dropout dropout;
    private final Linear loraA;
    private final Linear loraB;
    private boolean merged;

    private LoraLayer(Builder builder) {
        this.adapterSwitch = builder.adapterSwitch;
        this.adapterName = builder.adapterName;
        this.rank = builder.rank;
        this.alpha = builder.alpha;
        this.scaling = builder.useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
        this.base = addChild(BASE_LAYER, builder.base);
        this.dropout = new Dropout(builder.dropout);
        this.loraA = new Linear(base.inFeatures(), rank, false);
        this.loraB = new Linear(rank, base.outFeatures(), false);
        addChild("lora_dropout", new AdapterDict(adapterName, dropout));
        addChild("lora_A", new AdapterDict(adapterName, loraA));
        addChild("lora_B", new AdapterDict(adapterName, loraB));
        loraA.weight().setInitializer(initializerOfA(builder.init, base.inFeatures(), rank));
        loraB.weight().setInitializer(initializerOfB(builder.init, rank));
    }

    /** @return a builder; {@code setBase}, {@code setRank} and {@code setAdapterSwitch} are required */
    public static Builder builder() {
        return new Builder();
    }

    private static Initializer initializerOfA(InitLoraWeights init, int in, int rank) {
        return switch (init) {
            case KAIMING, RANDOM -> new UniformInitializer((float) (1 / Math.sqrt(in)));
            case GAUSSIAN -> new NormalInitializer((float) (1.0 / rank));
        };
    }

    private static Initializer initializerOfB(InitLoraWeights init, int rank) {
        return switch (init) {
            case KAIMING, GAUSSIAN -> Initializer.ZEROS;
            case RANDOM -> new UniformInitializer((float) (1 / Math.sqrt(rank)));
        };
    }

    /** @return the wrapped layer */
    public Linear base() {
        return base;
    }

    /** @return {@code A}, shape {@code (r, in)} */
    public Parameter loraA() {
        return loraA.weight();
    }

    /** @return {@code B}, shape {@code (out, r)} */
    public Parameter loraB() {
        return loraB.weight();
    }

    /** @return the adapter this layer's LoRA matrices belong to */
    public String adapterName() {
        return adapterName;
    }

    /** @return the rank {@code r} */
    public int rank() {
        return rank;
    }

    /** @return {@code lora_alpha} of this layer */
    public double alpha() {
        return alpha;
    }

    /** @return {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA */
    public double scaling() {
        return scaling;
    }

    /** @return whether the update is folded into the base weight */
    public boolean isMerged() {
        return merged;
    }

    /**
     * Folds the update into the base weight: {@code W0 += scaling * B A} (HF's {@code merge}).
     * Does nothing when already merged.
     */
    public void merge() {
        if (!merged) {
            applyDelta(1);
            merged = true;
        }
    }

    /**
     * Subtracts the update from the base weight again (HF's {@code unmerge}); the weight is restored
     * up to float rounding. Does nothing when not merged.
     */
    public void unmerge() {
        if (merged) {
            applyDelta(-1);
            merged = false;
        }
    }

    private void applyDelta(int sign) {
        NDArray weight = base.weight().getArray();
        NDArray a = loraA.weight().getArray().stopGradient();
        NDArray b = loraB.weight().getArray().stopGradient();
        try (a; b; NDArray product = b.matMul(a); NDArray delta = product.mul(sign * scaling)) {
            weight.addi(delta);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!adapterSwitch.adaptersEnabled()) {
            unmerge();
            return base.forward(store, inputs, training, params);
        }
        NDArray result = base.forward(store, inputs, training, params).singletonOrThrow();
        if (merged) {
            return new NDList(result);
        }
        NDList dropped = dropout.forward(store, inputs, training, params);
        NDList down = loraA.forward(store, dropped, training, params);
        NDArray up = loraB.forward(store, down, training, params).singletonOrThrow();
        return new NDList(result.add(ScalarOps.mul(up, scaling)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }

    /** HF's {@code nn.ModuleDict} keyed by adapter name; holds one module, called by the layer. */
    private static final class AdapterDict extends ModuleBlock {
        AdapterDict(String adapterName, Block module) {
            addChild(adapterName, module);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            throw new UnsupportedOperationException("an adapter dictionary is not called; call the LoraLayer");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    /** Builds a {@link LoraLayer}: {@code set*} required, {@code opt*} optional (DJL's convention). */
    public static final class Builder {
        private Linear base;
        private Integer rank;
        private AdapterSwitch adapterSwitch;
        private double alpha = 8;
        private double dropout;
        private boolean useRslora;
        private InitLoraWeights init = InitLoraWeights.KAIMING;
        private String adapterName = InjectionContext.DEFAULT_ADAPTER;

        private Builder() {}

        /**
         * @param base the initialized layer to wrap
         * @return this
         */
        public Builder setBase(Linear base) {
            this.base = base;
            return this;
        }

        /**
         * @param rank {@code r}, &gt; 0
         * @return this
         */
        public Builder setRank(int rank) {
            this.rank = rank;
            return this;
        }

        /**
         * @param adapterSwitch the model's switch, consulted on every forward pass
         * @return this
         */
        public Builder setAdapterSwitch(AdapterSwitch adapterSwitch) {
            this.adapterSwitch = adapterSwitch;
            return this;
        }

        /**
         * @param alpha {@code lora_alpha}, default 8
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * @param dropout {@code lora_dropout} in {@code [0, 1)}, default 0
         * @return this
         */
        public Builder optDropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        /**
         * @param useRslora scale by {@code alpha / sqrt(r)}, default false
         * @return this
         */
        public Builder optUseRslora(boolean useRslora) {
            this.useRslora = useRslora;
            return this;
        }

        /**
         * @param init how {@code A} and {@code B} start, default {@link InitLoraWeights#KAIMING}
         * @return this
         */
        public Builder optInit(InitLoraWeights init) {
            this.init = Objects.requireNonNull(init, "init");
            return this;
        }

        /**
         * @param adapterName the adapter's name, default {@code default}
         * @return this
         */
        public Builder optAdapterName(String adapterName) {
            this.adapterName = adapterName;
            return this;
        }

        /**
         * @return the layer; call {@link LoraLayer#initialize} to allocate {@code A} and {@code B}
         * @throws IllegalArgumentException if a required value is missing, the rank is not positive
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
}
