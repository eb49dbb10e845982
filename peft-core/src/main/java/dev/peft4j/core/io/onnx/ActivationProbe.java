package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import java.nio.charset.StandardCharsets;

/**
 * Checks that the feed-forward activation is exact (erf) GELU, HF's {@code hidden_act: "gelu"},
 * the only one peft4j's BERT implements: PyTorch exports it as {@code x * 0.5 * (1 + Erf(x /
 * sqrt(2)))}, opset 20 as a {@code Gelu} node with {@code approximate = "none"}. A tanh
 * approximation ({@code gelu_new}) has neither and is rejected rather than silently imported.
 */
final class ActivationProbe {

    private ActivationProbe() {}

    /**
     * @param graph the indexed graph
     * @throws ModelFormatException if the graph has no exact GELU
     */
    static void requireExactGelu(OnnxGraphIndex graph) throws ModelFormatException {
        for (NodeProto node : graph.nodes()) {
            if (node.getOpType().equals("Erf")) {
                return;
            }
            if (node.getOpType().equals("Gelu")) {
                String approximate = OnnxGraphIndex.attribute(node, "approximate")
                        .map(attribute -> attribute.getS().toString(StandardCharsets.UTF_8))
                        .orElse("none");
                if (approximate.equals("none")) {
                    return;
                }
            }
        }
        throw new ModelFormatException("ONNX graph of " + graph.source()
                + " has no exact GELU (an Erf node or Gelu with approximate='none');"
                + " peft4j's BERT supports hidden_act 'gelu' only");
    }
}
