package dev.peft4j.core.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.spi.AdapterSwitch;

/** Wraps a {@link Linear} as {@code base_layer}: {@code y = base(x) * scale}, scale {@code (out)}. */
public final class ScaleLayer extends ModuleBlock {

    private final AdapterSwitch adapterSwitch;
    private final Parameter scale;

    ScaleLayer(Linear base, AdapterSwitch adapterSwitch) {
        this.adapterSwitch = adapterSwitch;
        addChild("base_layer", base);
        scale = addParameter("scale", Parameter.Type.GAMMA, new Shape(base.outFeatures()));
    }

    /** @return the trainable scale vector */
    public Parameter scale() {
        return scale;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray out = child("base_layer").forward(store, inputs, training, params).head();
        if (!adapterSwitch.adaptersEnabled()) {
            return new NDList(out);
        }
        return new NDList(out.mul(store.getValue(scale, out.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return child("base_layer").getOutputShapes(inputShapes);
    }
}
