package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.AttributeProto;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names the weights of linear layers, which PyTorch's ONNX export stores as unnamed initializers
 * ({@code onnx::MatMul_787}, numbering different in every export): a linear layer {@code y = x W^T
 * + b} becomes {@code Add(MatMul(x, W^T), b)} (either input order of the Add), and its bias keeps
 * its module name, {@code <module>.bias}. Following every MatMul whose second input is an
 * initializer to the Add that consumes its output and reads a {@code *.bias} initializer gives
 * {@code <module> -> weight initializer}.
 *
 * <p>The weight initializer is stored {@code (in, out)}; if instead the MatMul reads it through a
 * 2-D {@code Transpose} (exports without constant folding), the initializer is already HF's
 * {@code (out, in)}.
 */
final class LinearTracer {

    /**
     * One traced linear layer.
     *
     * @param weight the name of the weight initializer
     * @param storedOutIn whether the initializer is already {@code (out, in)} (read through a
     *     Transpose); otherwise it is {@code (in, out)} and must be transposed
     * @param output the value the layer's Add produces, {@code x W^T + b}
     */
    record Linear(String weight, boolean storedOutIn, String output) {}

    private LinearTracer() {}

    /**
     * @param graph the indexed graph
     * @return module name ({@code encoder.layer.0.attention.self.query}) to its weight, in graph order
     * @throws ModelFormatException if two MatMuls feed Adds with the same bias
     */
    static Map<String, Linear> trace(OnnxGraphIndex graph) throws ModelFormatException {
        Map<String, Linear> linears = new LinkedHashMap<>();
        for (NodeProto matMul : graph.nodes()) {
            if (!matMul.getOpType().equals("MatMul") || matMul.getInputCount() != 2 || matMul.getOutputCount() != 1) {
                continue;
            }
            Optional<Linear> weight = weightSource(graph, matMul.getInput(1));
            if (weight.isEmpty()) {
                continue;
            }
            String product = matMul.getOutput(0);
            for (NodeProto add : graph.consumers(product, "Add")) {
                Optional<String> bias = OnnxGraphIndex.otherInput(add, product)
                        .filter(name -> name.endsWith(".bias") && graph.isInitializer(name));
                if (bias.isEmpty() || add.getOutputCount() != 1) {
                    continue;
                }
                String module = bias.get().substring(0, bias.get().length() - ".bias".length());
                Linear linear = new Linear(weight.get().weight(), weight.get().storedOutIn(), add.getOutput(0));
                if (linears.putIfAbsent(module, linear) != null) {
                    throw new ModelFormatException("ONNX graph of " + graph.source()
                            + " has two MatMuls feeding an Add with bias '" + bias.get() + "'");
                }
            }
        }
        return linears;
    }

    /** The initializer behind a MatMul's right operand, directly or through a 2-D Transpose. */
    private static Optional<Linear> weightSource(OnnxGraphIndex graph, String operand) {
        if (graph.isInitializer(operand)) {
            return Optional.of(new Linear(operand, false, null));
        }
        return graph.producer(operand, "Transpose")
                .filter(transpose -> transpose.getInputCount() == 1 && graph.isInitializer(transpose.getInput(0)))
                .filter(LinearTracer::swapsTwoAxes)
                .map(transpose -> new Linear(transpose.getInput(0), true, null));
    }

    private static boolean swapsTwoAxes(NodeProto transpose) {
        Optional<AttributeProto> perm = OnnxGraphIndex.attribute(transpose, "perm");
        // Without perm, Transpose reverses the axes, which for a 2-D weight is the swap.
        return perm.isEmpty() || perm.get().getIntsList().equals(List.of(1L, 0L));
    }
}
