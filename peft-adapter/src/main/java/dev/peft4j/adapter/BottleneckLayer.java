package dev.peft4j.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.BertResidualOutput;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A post-LayerNorm residual output block ({@link BertResidualOutput}: {@code attention.output} or
 * {@code output}) with a bottleneck adapter, arranged as AdapterHub's {@code BottleneckLayer} does
 * for BERT ({@code bottleneck_layer_forward} with one adapter, composed as a single-adapter
 * {@code Stack}).
 *
 * <p>Inputs {@code x (batch, seq, in)} and the residual {@code r (batch, seq, d)}; output
 * {@code (batch, seq, d)}. With {@code y = dropout(dense(x))} and {@code A} the
 * {@link BottleneckAdapter}:
 * <ul>
 *   <li>{@link BottleneckPlacement#PFEIFFER}: {@code LN((A(LN(y + r)) + y) + r)};
 *   <li>{@link BottleneckPlacement#HOULSBY}: {@code LN((A(y) + y) + r)};
 *   <li>{@link BottleneckPlacement#PARALLEL}: {@code LN((A(r) + y) + r)}; {@code r} is the input of
 *       the feed-forward block, so wrapping {@code output} puts the adapter beside
 *       {@code intermediate} + {@code output.dense}.
 * </ul>
 * The pretrained {@code LN} is the block's own ({@code original_ln_before} applies it a first time
 * in {@code pfeiffer}). With {@code A = 0} (a fresh {@link BottleneckInit#ZERO_UP} adapter) every
 * arrangement computes {@code LN(y + r)} bit for bit.
 *
 * <p>Children keep the wrapped block's names, so base parameters keep their paths
 * ({@code encoder.layer.0.output.dense.weight}): {@code dense}, {@code LayerNorm}, {@code dropout}
 * (the wrapped block's own blocks), then {@code adapters.<adapter name>} (the
 * {@link BottleneckAdapter}, AdapterHub's {@code adapters} {@code ModuleDict}), e.g.
 * {@code encoder.layer.0.output.adapters.default.adapter_down.weight}. While the model's
 * {@link AdapterSwitch} is off the wrapped block computes, unchanged.
 *
 * <p>Several adapters: each model adapter has its own entry {@code adapters.<name>} and its own
 * placement; the first adapter of this block that the switch reports active computes (one active
 * bottleneck adapter at a time, AdapterHub's single-adapter {@code Stack}); none active, the wrapped
 * block computes.
 */
public final class BottleneckLayer extends ModuleBlock implements AdapterLayer {

    /** The child holding the adapters by name. */
    public static final String ADAPTERS = "adapters";

    private final BertResidualOutput base;
    private final AdapterSwitch adapterSwitch;
    private final AdapterDict adapters = new AdapterDict();
    private final Map<String, BottleneckPlacement> placements = new LinkedHashMap<>();

    /**
     * @param base the block to wrap; it stays frozen as it is
     * @param adapterName the adapter's name ({@code default})
     * @param adapter the bottleneck, its width {@code d} equal to the block's output width
     * @param placement the arrangement of residuals and LayerNorm
     * @param adapterSwitch the model's switch, consulted on every forward pass
     * @throws IllegalArgumentException if the adapter's width differs from the block's output width
     */
    public BottleneckLayer(BertResidualOutput base, String adapterName, BottleneckAdapter adapter,
            BottleneckPlacement placement, AdapterSwitch adapterSwitch) {
        this.base = Objects.requireNonNull(base, "base");
        this.adapterSwitch = Objects.requireNonNull(adapterSwitch, "adapterSwitch");
        for (String name : base.childNames()) {
            addChild(name, base.child(name));
        }
        addChild(ADAPTERS, adapters);
        addAdapter(adapterName, adapter, placement);
    }

    /**
     * Adds another adapter to this block (one model, several bottleneck adapters; one computes at a
     * time, see {@link BottleneckMethod#supportsMultipleActiveAdapters()}).
     *
     * @param adapterName the adapter's name
     * @param adapter the bottleneck, its width equal to the block's output width
     * @param placement its arrangement of residuals and LayerNorm
     * @throws IllegalArgumentException if the width differs from the block's output width, or the
     *     block already holds an adapter of that name
     */
    public void addAdapter(String adapterName, BottleneckAdapter adapter, BottleneckPlacement placement) {
        Objects.requireNonNull(adapter, "adapter");
        Objects.requireNonNull(adapterName, "adapterName");
        if (base.child("dense") instanceof Linear dense && dense.outFeatures() != adapter.hiddenSize()) {
            throw new IllegalArgumentException("the bottleneck adapter's width " + adapter.hiddenSize()
                    + " differs from the wrapped block's output width " + dense.outFeatures());
        }
        adapters.put(adapterName, adapter);
        placements.put(adapterName, Objects.requireNonNull(placement, "placement"));
    }

    /** @return the wrapped block, which computes while adapters are disabled */
    public BertResidualOutput base() {
        return base;
    }

    /** @return the first adapter */
    public BottleneckAdapter adapter() {
        return adapter(adapterName());
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return that adapter
     * @throws IllegalArgumentException if the block holds no such adapter
     */
    public BottleneckAdapter adapter(String adapterName) {
        return (BottleneckAdapter) adapters.child(adapterName);
    }

    /** @return the first adapter's arrangement */
    public BottleneckPlacement placement() {
        return placements.get(adapterName());
    }

    /** @return the first adapter's name */
    public String adapterName() {
        if (placements.isEmpty()) {
            throw new IllegalStateException("this bottleneck layer holds no adapter (all were deleted)");
        }
        return placements.keySet().iterator().next();
    }

    @Override
    public List<String> adapterNames() {
        return List.copyOf(placements.keySet());
    }

    @Override
    public void deleteAdapter(String adapterName) {
        adapters.remove(adapterName);
        placements.remove(adapterName);
    }

    @Override
    public Block baseLayer() {
        return base;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        String active = null;
        for (String name : placements.keySet()) {
            if (adapterSwitch.isActive(name)) {
                active = name;
                break;
            }
        }
        if (active == null) {
            return base.forward(store, inputs, training, params);
        }
        NDArray residual = inputs.get(1);
        NDList projected = child("dense").forward(store, new NDList(inputs.get(0)), training, params);
        NDArray y = child("dropout").forward(store, projected, training, params).head();
        Block layerNorm = child("LayerNorm");
        NDArray adapterInput = switch (placements.get(active)) {
            case PFEIFFER -> layerNorm.forward(store, new NDList(y.add(residual)), training, params).head();
            case HOULSBY -> y;
            case PARALLEL -> residual;
        };
        NDArray adapted = adapter(active).forward(store, new NDList(adapterInput), training, params).head();
        return layerNorm.forward(store, new NDList(adapted.add(y).add(residual)), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }

    /** AdapterHub's {@code adapters} {@code ModuleDict}: one adapter per name, called by the layer. */
    private static final class AdapterDict extends ModuleBlock {
        void put(String adapterName, Block adapter) {
            addChild(adapterName, adapter);
        }

        void remove(String adapterName) {
            removeChild(adapterName);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            throw new UnsupportedOperationException("an adapter dictionary is not called; call the BottleneckLayer");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
