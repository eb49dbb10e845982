package dev.peft4j.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.ModuleDict;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A decoder sub-layer's output projection ({@code self_attn.o_proj}, {@code mlp.down_proj}, GPT-2's
 * {@code attn.c_proj}, {@code mlp.c_proj}) followed by a bottleneck adapter, before the layer adds
 * the residual: AdapterHub's {@code bottleneck_layer_forward} for pre-LayerNorm decoders (GPT-2,
 * Llama), where no LayerNorm follows the residual add ({@code layer_norm=None}).
 *
 * <p>Input {@code x (batch, seq, in)}, output {@code (batch, seq, d)}. With {@code y} the
 * projection's output, {@code r} the residual stream the layer adds it to (read by the layer's
 * {@link BottleneckResidualTap}) and {@code A} the {@link BottleneckAdapter}, the layer then
 * computing {@code out + r}:
 * <ul>
 *   <li>{@link BottleneckPlacement#PFEIFFER}: {@code A(y + r) + y} (AdapterHub's
 *       {@code original_ln_before} with {@code residual_before_ln}: the adapter reads
 *       {@code y + r}, its residual is {@code y});</li>
 *   <li>{@link BottleneckPlacement#HOULSBY}: {@code A(y) + y};</li>
 *   <li>{@link BottleneckPlacement#PARALLEL}: {@code A(r) + y} (AdapterHub's {@code ParallelAdapter}
 *       reads the sub-layer block's input {@code r}).</li>
 * </ul>
 * These are {@link BottleneckLayer}'s BERT arrangements with the post-LayerNorm removed. With
 * {@code A = 0} (a fresh {@link BottleneckInit#ZERO_UP} adapter) every arrangement returns {@code y}
 * bit for bit.
 *
 * <p>Children {@code base_layer} (the projection) and {@code adapters.<adapter name>}, e.g.
 * {@code model.layers.0.mlp.down_proj.adapters.default.adapter_down.weight}. The first adapter of
 * this block that the model's {@link AdapterSwitch} reports active computes; none active (or
 * adapters disabled), the projection alone.
 */
public final class BottleneckDecoderOutput extends ModuleBlock implements AdapterLayer {

    private final Block base;
    private final int width;
    private final AdapterSwitch adapterSwitch;
    private final ModuleDict adapters = new ModuleDict();
    private final Map<String, BottleneckPlacement> placements = new LinkedHashMap<>();
    private BottleneckResidualTap tap;

    /**
     * @param base the projection to wrap, output width {@code width}
     * @param width the projection's output width {@code d}
     * @param adapterSwitch the model's switch, consulted on every forward pass
     */
    BottleneckDecoderOutput(Block base, int width, AdapterSwitch adapterSwitch) {
        this.base = addChild("base_layer", Objects.requireNonNull(base, "base"));
        this.width = width;
        this.adapterSwitch = Objects.requireNonNull(adapterSwitch, "adapterSwitch");
        addChild(BottleneckLayer.ADAPTERS, adapters);
    }

    /**
     * @param adapterName the adapter's name
     * @param adapter the bottleneck, width {@code d}
     * @param placement its arrangement
     * @param tap the layer's residual tap, needed by {@code pfeiffer} and {@code parallel}; may be
     *     {@code null} for {@code houlsby}
     * @throws IllegalArgumentException if the adapter's width is not the projection's output width,
     *     or a {@code pfeiffer}/{@code parallel} adapter comes without a tap
     */
    void addAdapter(String adapterName, BottleneckAdapter adapter, BottleneckPlacement placement, BottleneckResidualTap tap) {
        if (adapter.hiddenSize() != width) {
            throw new IllegalArgumentException("the bottleneck adapter's width " + adapter.hiddenSize()
                    + " differs from the wrapped projection's output width " + width);
        }
        if (placement != BottleneckPlacement.HOULSBY && tap == null) {
            throw new IllegalArgumentException("a " + placement.json() + " bottleneck adapter reads the residual stream and needs"
                    + " the layer's residual tap");
        }
        if (tap != null) {
            this.tap = tap;
        }
        adapters.put(adapterName, adapter);
        placements.put(adapterName, Objects.requireNonNull(placement, "placement"));
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its bottleneck
     */
    public BottleneckAdapter adapter(String adapterName) {
        return (BottleneckAdapter) adapters.child(adapterName);
    }

    /**
     * @param adapterName an adapter of {@link #adapterNames()}
     * @return its arrangement, or {@code null} if this block holds no such adapter
     */
    public BottleneckPlacement placement(String adapterName) {
        return placements.get(adapterName);
    }

    @Override
    public List<String> adapterNames() {
        return List.copyOf(placements.keySet());
    }

    @Override
    public void deleteAdapter(String adapterName) {
        if (!placements.containsKey(adapterName)) {
            throw new IllegalArgumentException("this bottleneck layer holds no adapter '" + adapterName + "'; adapters: "
                    + adapterNames());
        }
        adapters.remove(adapterName);
        placements.remove(adapterName);
    }

    @Override
    public Block baseLayer() {
        return base;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray residual = null;
        String active = activeAdapter();
        if (tap != null) {
            BottleneckPlacement placement = active == null ? null : placements.get(active);
            if (placement == BottleneckPlacement.PFEIFFER || placement == BottleneckPlacement.PARALLEL) {
                residual = tap.take();
            } else {
                tap.forget();
            }
        }
        NDList projected = base.forward(store, inputs, training, params);
        if (active == null) {
            return projected;
        }
        NDArray y = projected.head();
        NDArray adapterInput = switch (placements.get(active)) {
            case PFEIFFER -> y.add(residual);
            case HOULSBY -> y;
            case PARALLEL -> residual;
        };
        NDArray adapted = adapter(active).forward(store, new NDList(adapterInput), training, params).head();
        return new NDList(adapted.add(y));
    }

    private String activeAdapter() {
        if (!adapterSwitch.adaptersEnabled()) {
            return null;
        }
        for (String name : placements.keySet()) {
            if (adapterSwitch.isActive(name)) {
                return name;
            }
        }
        return null;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }
}
