package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import java.util.Optional;

/** Reads single-element FLOAT constants (scalars or one-element tensors) out of a graph. */
final class ScalarConstants {

    private ScalarConstants() {}

    /**
     * @param graph the indexed graph
     * @param value a value name
     * @return the value as a double if it is a one-element FLOAT constant (every dimension 1, or a
     *     scalar), else empty; larger tensors are not decoded
     * @throws ModelFormatException if the constant is FLOAT but its data is malformed
     */
    static Optional<Double> floatScalar(OnnxGraphIndex graph, String value) throws ModelFormatException {
        Optional<TensorProto> constant = graph.constant(value);
        if (constant.isEmpty() || constant.get().getDataType() != OnnxTensors.FLOAT
                || constant.get().getDimsList().stream().anyMatch(dim -> dim != 1)) {
            return Optional.empty();
        }
        HostTensor tensor = OnnxTensors.toFloat(constant.get(), "constant '" + value + "'", graph.source());
        return Optional.of(exactDecimal(tensor.values()[0]));
    }

    /**
     * Widens a float to the double with the same shortest decimal form, so {@code 1e-12f} becomes
     * {@code 1e-12} rather than {@code 9.999999960041972e-13}: the exporter wrote the config's
     * decimal value as a float.
     */
    static double exactDecimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }
}
