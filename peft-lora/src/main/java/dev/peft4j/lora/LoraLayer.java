package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.peft4j.core.model.Dropout;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ModuleDict;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.spi.AdapterSwitch;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;

/**
 * A {@link Linear} with a LoRA update (Hu et al. 2021, eq. 3): {@code h = W0 x + scaling * B A x},
 * HF PEFT's {@code lora.Linear}; with DoRA (Liu et al. 2024) also a trainable magnitude vector,
 * see {@link LoraMagnitudeVector}.
 *
 * <p>Children, as HF's module tree (adapter-keyed dictionaries): {@code base_layer} (the frozen
 * {@code Linear}, weight {@code (out, in)}), {@code lora_dropout.<adapter>} (a core {@link Dropout}),
 * {@code lora_A.<adapter>} ({@code Linear(in, r)} without bias, weight {@code A (r, in)}),
 * {@code lora_B.<adapter>} ({@code Linear(r, out)} without bias, weight {@code B (out, r)}) and, with
 * DoRA, {@code lora_magnitude_vector} holding {@code m (out)} as parameter {@code <adapter>}. So
 * parameter paths read {@code <path>.lora_A.default.weight} and
 * {@code <path>.lora_magnitude_vector.default}, which checkpoints save as
 * {@code <path>.lora_A.weight} and {@code <path>.lora_magnitude_vector} (adapter name stripped, as HF).
 *
 * <p>Input {@code (..., in)}, output {@code (..., out)}:
 * {@code base(x) + B(A(dropout(x))) * scaling}, {@code scaling = alpha / r}, or
 * {@code alpha / sqrt(r)} with rsLoRA (Kalajdzievski 2023); with DoRA
 * {@code base(x) + (m / n - 1) * W x' + (m / n) * scaling * B A x'} (HF's {@code DoraLinearLayer},
 * details in {@link LoraMagnitudeVector}). While the model's {@link AdapterSwitch} is off the output
 * is exactly {@code base(x)}; if the layer is merged at that moment it is unmerged first, as HF's
 * forward does.
 *
 * <p>{@link #merge()} folds the update into the base weight ({@code W0 += scaling * B A}; DoRA:
 * {@code W0 = (m / n) * (W0 + scaling * B A)} row-wise) so the forward pass skips the adapter path;
 * {@link #unmerge()} undoes it up to float rounding. Both mutate the base weight in place: call them
 * outside a {@code GradientCollector}.
 *
 * <p>{@link #initialize} allocates {@code A} and {@code B} (the base layer keeps its values) with
 * the configured {@link InitLoraWeights}, random draws from the engine's generator, then sets DoRA's
 * {@code m} to the row norms of {@code W0 + scaling * B A}.
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
    private final LoraMagnitudeVector magnitude;
    private boolean merged;

    LoraLayer(LoraLayerBuilder builder) {
        this.adapterSwitch = builder.adapterSwitch;
        this.adapterName = builder.adapterName;
        this.rank = builder.rank;
        this.alpha = builder.alpha;
        this.scaling = builder.useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
        this.base = addChild(BASE_LAYER, builder.base);
        this.dropout = new Dropout(builder.dropout);
        this.loraA = new Linear(base.inFeatures(), rank, false);
        this.loraB = new Linear(rank, base.outFeatures(), false);
        addChild("lora_dropout", ModuleDict.of(adapterName, dropout));
        addChild("lora_A", ModuleDict.of(adapterName, loraA));
        addChild("lora_B", ModuleDict.of(adapterName, loraB));
        this.magnitude = builder.useDora
                ? addChild(LoraMagnitudeVector.NAME, new LoraMagnitudeVector(adapterName, base.outFeatures())) : null;
        loraA.weight().setInitializer(initializerOfA(builder.init, base.inFeatures(), rank));
        loraB.weight().setInitializer(initializerOfB(builder.init, rank));
    }

    /** @return a builder; {@code setBase}, {@code setRank} and {@code setAdapterSwitch} are required */
    public static LoraLayerBuilder builder() {
        return new LoraLayerBuilder();
    }

    /**
     * Allocates the adapter's parameters; with DoRA then sets {@code m = ||W0 + scaling * B A||} per
     * output row (only when {@code m} is allocated here, so a second call keeps trained values).
     */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        boolean freshMagnitude = magnitude != null && !magnitude.magnitude().isInitialized();
        super.initialize(manager, dataType, inputShapes);
        if (freshMagnitude) {
            magnitude.initializeFrom(base.weight().getArray(), loraA.weight().getArray(), loraB.weight().getArray(), scaling);
        }
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

    /** @return whether this layer is DoRA */
    public boolean usesDora() {
        return magnitude != null;
    }

    /**
     * @return DoRA's {@code m}, shape {@code (out)}
     * @throws IllegalStateException if the layer is plain LoRA
     */
    public Parameter magnitude() {
        if (magnitude == null) {
            throw new IllegalStateException("this LoRA layer has no magnitude vector: use_dora is false");
        }
        return magnitude.magnitude();
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
     * Folds the update into the base weight (HF's {@code merge}): {@code W0 += scaling * B A};
     * DoRA: {@code W0 = (m / n) * (W0 + scaling * B A)} row-wise. Does nothing when already merged.
     */
    public void merge() {
        if (!merged) {
            applyDelta(1);
            merged = true;
        }
    }

    /**
     * Takes the update out of the base weight again (HF's {@code unmerge}): {@code W0 -= scaling * B A};
     * DoRA: {@code W0 = W0 / (m / n) - scaling * B A} with the {@code n} kept from the merge. The weight
     * is restored up to float rounding. Does nothing when not merged.
     */
    public void unmerge() {
        if (merged) {
            applyDelta(-1);
            merged = false;
        }
    }

    private void applyDelta(int sign) {
        NDArray weight = base.weight().getArray();
        NDArray a = loraA.weight().getArray();
        NDArray b = loraB.weight().getArray();
        try (NDArray aD = a.stopGradient(); NDArray bD = b.stopGradient(); NDArray product = bD.matMul(aD);
                NDArray delta = product.mul(scaling)) {
            if (magnitude == null && sign > 0) {
                weight.addi(delta);
            } else if (magnitude == null) {
                weight.subi(delta);
            } else if (sign > 0) {
                try (NDArray factor = magnitude.mergeFactor(weight, a, b, scaling)) {
                    weight.addi(delta).muli(factor);
                }
            } else {
                try (NDArray factor = magnitude.unmergeFactor()) {
                    weight.divi(factor).subi(delta);
                }
            }
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
        if (magnitude == null) {
            return new NDList(result.add(ScalarOps.mul(up, scaling)));
        }
        return new NDList(result.add(doraTerm(store, result, dropped.singletonOrThrow(), up, training)));
    }

    /** HF: without active dropout the base output minus its bias serves as {@code W x}; else {@code W x'} is recomputed. */
    private NDArray doraTerm(ParameterStore store, NDArray result, NDArray dropped, NDArray up, boolean training) {
        NDArray weight = store.getValue(base.weight(), dropped.getDevice(), training);
        NDArray baseResult;
        if (training && dropout.rate() > 0) {
            baseResult = ai.djl.nn.core.Linear.linear(dropped, weight).singletonOrThrow();
        } else {
            baseResult = base.hasBias() ? result.sub(store.getValue(base.bias(), result.getDevice(), training)) : result;
        }
        NDArray norm = LoraMagnitudeVector.rowNorm(weight, loraA.weight().getArray(), loraB.weight().getArray(), scaling);
        norm.attach(result.getManager());
        return magnitude.term(store, baseResult, up, norm, scaling, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }
}
