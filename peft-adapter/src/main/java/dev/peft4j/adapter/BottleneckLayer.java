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
import dev.peft4j.core.spi.AdapterSwitch;
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
 */
public final class BottleneckLayer extends ModuleBlock {

    /** The child holding the adapters by name. */
    public static final String ADAPTERS = "adapters";

    private final BertResidualOutput base;
    private final BottleneckAdapter adapter;
    private final BottleneckPlacement placement;
    private final AdapterSwitch adapterSwitch;
    private final String adapterName;

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
        this.adapter = Objects.requireNonNull(adapter, "adapter");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.adapterSwitch = Objects.requireNonNull(adapterSwitch, "adapterSwitch");
        this.adapterName = Objects.requireNonNull(adapterName, "adapterName");
        if (base.child("dense") instanceof Linear dense && dense.outFeatures() != adapter.hiddenSize()) {
            throw new IllegalArgumentException("the bottleneck adapter's width " + adapter.hiddenSize()
                    + " differs from the wrapped block's output width " + dense.outFeatures());
        }
        for (String name : base.childNames()) {
            addChild(name, base.child(name));
        }
        addChild(ADAPTERS, new AdapterDict(adapterName, adapter));
    }

    /** @return the wrapped block, which computes while adapters are disabled */
    public BertResidualOutput base() {
        return base;
    }

    /** @return the adapter */
    public BottleneckAdapter adapter() {
        return adapter;
    }

    /** @return the arrangement */
    public BottleneckPlacement placement() {
        return placement;
    }

    /** @return the adapter's name */
    public String adapterName() {
        return adapterName;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!adapterSwitch.adaptersEnabled()) {
            return base.forward(store, inputs, training, params);
        }
        NDArray residual = inputs.get(1);
        NDList projected = child("dense").forward(store, new NDList(inputs.get(0)), training, params);
        NDArray y = child("dropout").forward(store, projected, training, params).head();
        Block layerNorm = child("LayerNorm");
        NDArray adapterInput = switch (placement) {
            case PFEIFFER -> layerNorm.forward(store, new NDList(y.add(residual)), training, params).head();
            case HOULSBY -> y;
            case PARALLEL -> residual;
        };
        NDArray adapted = adapter.forward(store, new NDList(adapterInput), training, params).head();
        return layerNorm.forward(store, new NDList(adapted.add(y).add(residual)), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }

    /** AdapterHub's {@code adapters} {@code ModuleDict}: one adapter per name, called by the layer. */
    private static final class AdapterDict extends ModuleBlock {
        AdapterDict(String adapterName, Block adapter) {
            addChild(adapterName, adapter);
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
