package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ModuleDict;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.core.spi.AdapterSwitch;
import dev.peft4j.core.spi.MergeableLayer;
import dev.peft4j.core.spi.RowAdapters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link dev.peft4j.core.model.Linear} (or GPT-2's {@link dev.peft4j.core.model.Conv1D}) with LoRA
 * updates (Hu et al. 2021, eq. 3): {@code h = W0 x + sum_i scaling_i * B_i A_i x} over the active
 * adapters, HF PEFT's {@code lora.Linear}; with DoRA (Liu et al. 2024) an adapter also has a
 * trainable magnitude vector, see {@link LoraMagnitudeVector}. A {@code Conv1D} stores
 * {@code W0 (in, out)} (HF's {@code fan_in_fan_out}): the factors keep their shapes, and merging and
 * DoRA's norms work on the {@code (out, in)} view ({@link LoraBaseLayer}).
 *
 * <p>Children, as HF's module tree (adapter-keyed dictionaries): {@code base_layer} (the frozen
 * {@code Linear}, weight {@code (out, in)}, or {@code Conv1D}, weight {@code (in, out)}), {@code lora_dropout.<adapter>} (a core
 * {@link dev.peft4j.core.model.Dropout}), {@code lora_A.<adapter>} ({@code Linear(in, r)} without
 * bias, weight {@code A (r, in)}), {@code lora_B.<adapter>} ({@code Linear(r, out)} without bias,
 * weight {@code B (out, r)}) and, once an adapter uses DoRA, {@code lora_magnitude_vector} holding
 * {@code m (out)} as parameter {@code <adapter>}. So parameter paths read
 * {@code <path>.lora_A.default.weight} and {@code <path>.lora_magnitude_vector.default}, which
 * checkpoints save as {@code <path>.lora_A.weight} and {@code <path>.lora_magnitude_vector} (adapter
 * name stripped, as HF).
 *
 * <p>Several adapters (HF's {@code update_layer}, {@link #addAdapter}): each has its own {@code r},
 * {@code lora_alpha}, scaling, dropout and DoRA magnitude. Which of them compute is asked of the
 * model's {@link AdapterSwitch} ({@link AdapterSwitch#isActive}) on every forward pass; the layer
 * keeps no active state of its own. One adapter's contribution is computed by one method
 * ({@code adapterTerm}). In a mixed-adapter batch ({@link AdapterSwitch#rowAdapters()}) each group
 * of rows gets its own adapter's term instead, see {@link LoraMixedBatch}.
 *
 * <p>Input {@code (..., in)}, output {@code (..., out)}: {@code base(x) + sum over active, unmerged
 * adapters of B(A(dropout(x))) * scaling}, {@code scaling = alpha / r}, or {@code alpha / sqrt(r)}
 * with rsLoRA (Kalajdzievski 2023); a DoRA adapter adds
 * {@code (m / n - 1) * W x' + (m / n) * scaling * B A x'} (HF's {@code DoraLinearLayer}, details in
 * {@link LoraMagnitudeVector}) with {@code W} the unmerged weight. While the switch is off
 * ({@code disable_adapter}) the output is exactly {@code base(x)}: merged adapters are unmerged first,
 * as HF's forward does, and stay unmerged.
 *
 * <p>{@link #merge(List, boolean)} folds adapters into the base weight so the forward pass skips
 * them, {@link #unmerge()} writes the unmerged weight back exactly (see {@link LoraMergedWeights}).
 * Both mutate the base weight in place: call them outside a {@code GradientCollector}.
 *
 * <p>{@link #initialize} allocates each new adapter's {@code A} and {@code B} (the base layer keeps
 * its values) with the configured {@link LoraConfig.InitLoraWeights}, random draws from the engine's
 * generator, then sets DoRA's {@code m} to the row norms of {@code W0 + scaling * B A}.
 */
public final class LoraLayer extends ModuleBlock implements MergeableLayer {

    private static final String BASE_LAYER = "base_layer";

    private final AdapterSwitch adapterSwitch;
    private final LoraBaseLayer base;
    private final ModuleDict dropouts = new ModuleDict();
    private final ModuleDict loraAs = new ModuleDict();
    private final ModuleDict loraBs = new ModuleDict();
    private LoraMagnitudeVector magnitudes;
    private final Map<String, LoraUpdate> updates = new LinkedHashMap<>();
    private final List<LoraUpdate> uninitializedDora = new ArrayList<>();
    private final LoraMergedWeights mergedWeights;

    LoraLayer(LoraLayerBuilder builder) {
        this.adapterSwitch = builder.adapterSwitch;
        this.base = builder.base;
        addChild(BASE_LAYER, base.block());
        this.mergedWeights = new LoraMergedWeights(base);
        addChild("lora_dropout", dropouts);
        addChild("lora_A", loraAs);
        addChild("lora_B", loraBs);
        addAdapter(builder);
    }

    /** @return a builder; {@code setBase}, {@code setRank} and {@code setAdapterSwitch} are required */
    public static LoraLayerBuilder builder() {
        return new LoraLayerBuilder();
    }

    /**
     * Adds another adapter's {@code A}, {@code B}, dropout (and DoRA magnitude) to this layer, HF's
     * {@code update_layer}; call {@link #initialize} afterwards to allocate them.
     *
     * @param adapter the adapter's name, {@code r}, {@code lora_alpha}, dropout, rsLoRA, DoRA and
     *     initialisation ({@code setBase} and {@code setAdapterSwitch} are not used)
     * @throws IllegalArgumentException if the layer already holds an adapter of that name, or the
     *     rank is not positive
     */
    public void addAdapter(LoraLayerBuilder adapter) {
        String name = adapter.adapterName;
        if (updates.containsKey(name)) {
            throw new IllegalArgumentException("LoRA layer already holds adapter '" + name + "'; adapters: " + adapterNames());
        }
        if (adapter.rank == null || adapter.rank <= 0) {
            throw new IllegalArgumentException("lora.r must be > 0, got " + adapter.rank);
        }
        Parameter magnitude = null;
        if (adapter.useDora) {
            if (magnitudes == null) {
                magnitudes = addChild(LoraMagnitudeVector.NAME, new LoraMagnitudeVector());
            }
            magnitude = magnitudes.add(name, base.outFeatures());
        }
        LoraUpdate update = new LoraUpdate(name, adapter, base.inFeatures(), base.outFeatures(), magnitude);
        dropouts.put(name, update.dropout());
        loraAs.put(name, update.loraA());
        loraBs.put(name, update.loraB());
        updates.put(name, update);
        if (magnitude != null) {
            uninitializedDora.add(update);
        }
    }

    /**
     * Allocates new adapters' parameters; with DoRA then sets {@code m = ||W0 + scaling * B A||} per
     * output row, from the unmerged weight (only for adapters added since the last call, so a second
     * call keeps trained values).
     */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        NDArray stored = mergedWeights.unmergedWeight() != null ? mergedWeights.unmergedWeight() : base.weight().getArray();
        try (NDManager scope = stored.getManager().newSubManager()) {
            NDArray weight = base.outIn(stored, scope);
            for (LoraUpdate update : uninitializedDora) {
                LoraMagnitudeVector.initializeFrom(update.magnitude(), weight, update.loraA().weight().getArray(),
                        update.loraB().weight().getArray(), update.scaling());
            }
        }
        uninitializedDora.clear();
    }

    @Override
    public List<String> adapterNames() {
        return List.copyOf(updates.keySet());
    }

    @Override
    public void deleteAdapter(String adapterName) {
        LoraUpdate update = update(adapterName);
        if (mergedWeights.contains(adapterName)) {
            throw new IllegalStateException("adapter '" + adapterName + "' is merged into this layer's weight; unmerge first");
        }
        dropouts.remove(adapterName);
        loraAs.remove(adapterName);
        loraBs.remove(adapterName);
        if (update.magnitude() != null) {
            magnitudes.remove(adapterName);
        }
        uninitializedDora.remove(update);
        updates.remove(adapterName);
    }

    @Override
    public Block baseLayer() {
        return base.block();
    }

    private LoraUpdate update(String adapterName) {
        LoraUpdate update = updates.get(adapterName);
        if (update == null) {
            throw new IllegalArgumentException("LoRA layer holds no adapter '" + adapterName + "'; adapters: " + adapterNames());
        }
        return update;
    }

    /** @return the adapter's update, or {@code null} if this layer holds none of that name */
    LoraUpdate updateOrNull(String adapterName) {
        return updates.get(adapterName);
    }

    /** The adapter single-adapter callers mean: the first one added. */
    private LoraUpdate first() {
        if (updates.isEmpty()) {
            throw new IllegalStateException("this LoRA layer holds no adapter (all were deleted)");
        }
        return updates.values().iterator().next();
    }

    /** @return the wrapped layer: a {@link dev.peft4j.core.model.Linear} or a {@link dev.peft4j.core.model.Conv1D} */
    public Block base() {
        return base.block();
    }

    /** @return the wrapped layer's widths, weight, bias and weight layout */
    public LoraBaseLayer baseLayerView() {
        return base;
    }

    /**
     * @return the wrapped layer's weight as stored: {@code (out, in)}, or {@code (in, out)} for a
     *     {@code Conv1D} ({@code fan_in_fan_out})
     */
    public Parameter baseWeight() {
        return base.weight();
    }

    /** @return the first adapter's {@code A}, shape {@code (r, in)} */
    public Parameter loraA() {
        return first().loraA().weight();
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its {@code A}, shape {@code (r, in)}
     */
    public Parameter loraA(String adapterName) {
        return update(adapterName).loraA().weight();
    }

    /** @return the first adapter's {@code B}, shape {@code (out, r)} */
    public Parameter loraB() {
        return first().loraB().weight();
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its {@code B}, shape {@code (out, r)}
     */
    public Parameter loraB(String adapterName) {
        return update(adapterName).loraB().weight();
    }

    /** @return whether the first adapter is DoRA */
    public boolean usesDora() {
        return first().magnitude() != null;
    }

    /**
     * @return the first adapter's DoRA {@code m}, shape {@code (out)}
     * @throws IllegalStateException if that adapter is plain LoRA
     */
    public Parameter magnitude() {
        return magnitude(first().name());
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its DoRA {@code m}, shape {@code (out)}
     * @throws IllegalStateException if the adapter is plain LoRA
     */
    public Parameter magnitude(String adapterName) {
        LoraUpdate update = update(adapterName);
        if (update.magnitude() == null) {
            throw new IllegalStateException("this LoRA layer has no magnitude vector for adapter '" + adapterName
                    + "': use_dora is false");
        }
        return update.magnitude();
    }

    /** @return the first adapter's name */
    public String adapterName() {
        return first().name();
    }

    /** @return the first adapter's rank {@code r} */
    public int rank() {
        return first().rank();
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its rank {@code r}
     */
    public int rank(String adapterName) {
        return update(adapterName).rank();
    }

    /** @return the first adapter's {@code lora_alpha} */
    public double alpha() {
        return first().alpha();
    }

    /** @return the first adapter's {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA */
    public double scaling() {
        return first().scaling();
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its scaling
     */
    public double scaling(String adapterName) {
        return update(adapterName).scaling();
    }

    /** @return whether any adapter is folded into the base weight */
    public boolean isMerged() {
        return !mergedWeights.isEmpty();
    }

    @Override
    public List<String> mergedAdapters() {
        return mergedWeights.names();
    }

    /**
     * Folds every adapter of this layer into the base weight (HF's {@code merge()} on a layer with one
     * adapter): {@code W0 += scaling * B A}; DoRA: {@code W0 = (m / n) * (W0 + scaling * B A)} row-wise.
     * Already merged adapters are skipped.
     */
    public void merge() {
        merge(adapterNames(), false);
    }

    @Override
    public void merge(List<String> adapterNames, boolean safeMerge) {
        mergedWeights.merge(pending(adapterNames), safeMerge);
    }

    @Override
    public void checkMerge(List<String> adapterNames) {
        mergedWeights.check(pending(adapterNames));
    }

    /** @return the updates of {@code adapterNames} this layer holds unmerged, in the given order */
    private List<LoraUpdate> pending(List<String> adapterNames) {
        List<LoraUpdate> pending = new ArrayList<>();
        for (String name : adapterNames) {
            if (updates.containsKey(name) && !mergedWeights.contains(name)) {
                pending.add(updates.get(name));
            }
        }
        return pending;
    }

    /** Frees the kept unmerged weight; the base {@code Linear} keeps the merged adapters in its weight. */
    @Override
    public Block unloadMerged() {
        mergedWeights.forget();
        return base.block();
    }

    /**
     * Takes every merged adapter out of the base weight again (HF's {@code unmerge}): the weight kept
     * from before the first merge is written back, so it is restored exactly. Does nothing when
     * nothing is merged.
     */
    @Override
    public void unmerge() {
        mergedWeights.unmergeAll();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!adapterSwitch.adaptersEnabled()) {
            unmerge();
            return base.block().forward(store, inputs, training, params);
        }
        NDArray result = base.block().forward(store, inputs, training, params).singletonOrThrow();
        RowAdapters rows = adapterSwitch.rowAdapters();
        if (rows != null) {
            return new NDList(LoraMixedBatch.addTerms(this, store, inputs.singletonOrThrow(), result, rows, training, params));
        }
        for (LoraUpdate update : updates.values()) {
            if (adapterSwitch.isActive(update.name()) && !mergedWeights.contains(update.name())) {
                result = result.add(adapterTerm(store, update, inputs, result, training, params));
            }
        }
        return new NDList(result);
    }

    /** One adapter's contribution {@code (..., out)}: {@code scaling * B A x'}, or DoRA's term. */
    private NDArray adapterTerm(ParameterStore store, LoraUpdate update, NDList inputs, NDArray result, boolean training,
            PairList<String, Object> params) {
        NDList dropped = update.dropout().forward(store, inputs, training, params);
        NDList down = update.loraA().forward(store, dropped, training, params);
        NDArray up = update.loraB().forward(store, down, training, params).singletonOrThrow();
        if (update.magnitude() == null) {
            return ScalarOps.mul(up, update.scaling());
        }
        return doraTerm(store, update, result, dropped.singletonOrThrow(), up, training);
    }

    /**
     * HF: without active dropout the base output minus its bias serves as {@code W x}; else
     * {@code W x'} is recomputed. Also recomputed (from the kept unmerged weight) while another adapter
     * is merged, or while an earlier active adapter's term is already in {@code result}.
     */
    private NDArray doraTerm(ParameterStore store, LoraUpdate update, NDArray result, NDArray dropped, NDArray up,
            boolean training) {
        NDArray kept = mergedWeights.unmergedWeight();
        NDArray weight = base.outIn(kept != null ? kept : store.getValue(base.weight(), dropped.getDevice(), training),
                result.getManager());
        NDArray baseResult;
        boolean reuse = kept == null && !(training && update.dropout().rate() > 0) && firstActiveUnmerged(update);
        if (reuse) {
            baseResult = base.hasBias() ? result.sub(store.getValue(base.bias(), result.getDevice(), training)) : result;
        } else {
            baseResult = ai.djl.nn.core.Linear.linear(dropped, weight).singletonOrThrow();
        }
        NDArray norm = LoraMagnitudeVector.rowNorm(weight, update.loraA().weight().getArray(), update.loraB().weight().getArray(),
                update.scaling());
        norm.attach(result.getManager());
        return LoraMagnitudeVector.term(store, update.magnitude(), baseResult, up, norm, update.scaling(), training);
    }

    /** Whether no active, unmerged adapter before {@code update} has added its term to the result yet. */
    private boolean firstActiveUnmerged(LoraUpdate update) {
        for (LoraUpdate other : updates.values()) {
            if (other == update) {
                return true;
            }
            if (adapterSwitch.isActive(other.name()) && !mergedWeights.contains(other.name())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.block().getOutputShapes(inputShapes);
    }
}
