package dev.peft4j.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The pre-LayerNorm in front of a decoder layer's feed-forward sub-layer ({@code post_attention_layernorm},
 * GPT-2's {@code ln_2}), wrapped so that the {@link BottleneckDecoderOutput} of the same layer can
 * read the residual stream {@code r (batch, seq, d)}: the norm's input. The norm's output is
 * unchanged, bit for bit. Only {@code pfeiffer} ({@code A(y + r)}) and {@code parallel}
 * ({@code A(r)}) read {@code r}; {@code houlsby} needs no tap.
 *
 * <p>Child {@code base_layer} (the norm). The tapped value is kept per thread from this block's
 * forward pass until the layer's output projection takes it ({@link #take()}) a few operations
 * later in the same layer, so concurrent inference threads do not mix rows.
 */
public final class BottleneckResidualTap extends ModuleBlock implements AdapterLayer {

    private final Block base;
    private final AdapterSwitch adapterSwitch;
    private final List<String> adapterNames = new ArrayList<>();
    private final ThreadLocal<NDArray> residual = new ThreadLocal<>();

    /**
     * @param base the norm to wrap
     * @param adapterSwitch the model's switch: nothing is kept while adapters are disabled
     */
    BottleneckResidualTap(Block base, AdapterSwitch adapterSwitch) {
        this.base = addChild("base_layer", Objects.requireNonNull(base, "base"));
        this.adapterSwitch = Objects.requireNonNull(adapterSwitch, "adapterSwitch");
    }

    /** @param adapterName an adapter that reads this tap */
    void addAdapter(String adapterName) {
        if (!adapterNames.contains(adapterName)) {
            adapterNames.add(adapterName);
        }
    }

    /**
     * @return the residual stream of this thread's current forward pass, {@code (batch, seq, d)}
     * @throws IllegalStateException if the norm did not run since the last {@code take()} (the layer
     *     does not call its feed-forward norm before its feed-forward output projection)
     */
    NDArray take() {
        NDArray value = residual.get();
        residual.remove();
        if (value == null) {
            throw new IllegalStateException("the bottleneck adapter found no residual stream: the feed-forward LayerNorm did not"
                    + " run before the feed-forward output projection in this layer");
        }
        return value;
    }

    /** Forgets a kept value (the output projection ran without reading it). */
    void forget() {
        residual.remove();
    }

    @Override
    public List<String> adapterNames() {
        return List.copyOf(adapterNames);
    }

    @Override
    public void deleteAdapter(String adapterName) {
        if (!adapterNames.remove(adapterName)) {
            throw new IllegalArgumentException("this residual tap serves no adapter '" + adapterName + "'; adapters: " + adapterNames);
        }
    }

    @Override
    public Block baseLayer() {
        return base;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (adapterSwitch.adaptersEnabled()) {
            residual.set(inputs.head());
        }
        return base.forward(store, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }
}
