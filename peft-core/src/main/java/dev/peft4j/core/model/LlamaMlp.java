package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Llama's SwiGLU feed-forward block ({@code model.layers.N.mlp}; Shazeer 2020, "GLU Variants
 * Improve Transformer", eq. 6), as HF's {@code LlamaMLP}:
 * {@code down_proj(silu(gate_proj(x)) * up_proj(x))}, {@code silu(x) = x * sigmoid(x)}. Children
 * {@code gate_proj}, {@code up_proj} ({@code hidden -> intermediate}) and {@code down_proj}
 * ({@code intermediate -> hidden}), replaceable {@link Linear}s with a bias iff {@code mlp_bias}.
 * Input and output {@code (batch, seq, hidden)}.
 */
public final class LlamaMlp extends ModuleBlock {

    /** @param config the decoder's configuration */
    public LlamaMlp(LlamaConfig config) {
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        addChild("gate_proj", new Linear(hidden, intermediate, config.mlpBias()));
        addChild("up_proj", new Linear(hidden, intermediate, config.mlpBias()));
        addChild("down_proj", new Linear(intermediate, hidden, config.mlpBias()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray gate = child("gate_proj").forward(store, inputs, training, params).head();
        NDArray up = child("up_proj").forward(store, inputs, training, params).head();
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
        return child("down_proj").forward(store, new NDList(activated), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
