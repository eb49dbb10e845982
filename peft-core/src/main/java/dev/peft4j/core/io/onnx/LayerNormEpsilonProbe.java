package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.AttributeProto;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import java.util.Optional;

/**
 * Finds the epsilon of a LayerNorm module, which no weight shows, in the graph. Two forms:
 *
 * <ul>
 *   <li>a {@code LayerNormalization} node (opset 17+) reading {@code <module>.weight}: its
 *       {@code epsilon} attribute (ONNX default {@code 1e-5} when absent);
 *   <li>PyTorch's decomposition {@code Mul(Div(x - mean, Sqrt(Add(variance, eps))), <module>.weight)}
 *       (then {@code + bias}): the scalar constant of that Add.
 * </ul>
 */
final class LayerNormEpsilonProbe {

    /** ONNX's default {@code LayerNormalization.epsilon}. */
    static final float ONNX_DEFAULT_EPSILON = 1e-5f;

    private LayerNormEpsilonProbe() {}

    /**
     * @param graph the indexed graph
     * @param module the LayerNorm module name, e.g. {@code embeddings.LayerNorm}
     * @return its epsilon
     * @throws ModelFormatException if neither form reads {@code <module>.weight}
     */
    static double find(OnnxGraphIndex graph, String module) throws ModelFormatException {
        String weight = module + ".weight";
        for (NodeProto node : graph.consumers(weight, "LayerNormalization")) {
            if (node.getInputCount() >= 2 && node.getInput(1).equals(weight)) {
                Optional<AttributeProto> epsilon = OnnxGraphIndex.attribute(node, "epsilon");
                return ScalarConstants.exactDecimal(epsilon.map(AttributeProto::getF).orElse(ONNX_DEFAULT_EPSILON));
            }
        }
        for (NodeProto mul : graph.consumers(weight, "Mul")) {
            Optional<Double> epsilon = fromDecomposition(graph, mul, weight);
            if (epsilon.isPresent()) {
                return epsilon.get();
            }
        }
        throw new ModelFormatException("ONNX graph of " + graph.source() + " does not show the epsilon of '"
                + module + "': expected LayerNormalization or Mul(Div(x - mean, Sqrt(variance + eps)), '"
                + weight + "')");
    }

    private static Optional<Double> fromDecomposition(OnnxGraphIndex graph, NodeProto mul, String weight)
            throws ModelFormatException {
        Optional<NodeProto> add = OnnxGraphIndex.otherInput(mul, weight)
                .flatMap(normalized -> graph.producer(normalized, "Div"))
                .filter(div -> div.getInputCount() == 2)
                .flatMap(div -> graph.producer(div.getInput(1), "Sqrt"))
                .filter(sqrt -> sqrt.getInputCount() == 1)
                .flatMap(sqrt -> graph.producer(sqrt.getInput(0), "Add"))
                .filter(node -> node.getInputCount() == 2);
        if (add.isEmpty()) {
            return Optional.empty();
        }
        for (String input : add.get().getInputList()) {
            Optional<Double> epsilon = ScalarConstants.floatScalar(graph, input);
            if (epsilon.isPresent()) {
                return epsilon;
            }
        }
        return Optional.empty();
    }
}
