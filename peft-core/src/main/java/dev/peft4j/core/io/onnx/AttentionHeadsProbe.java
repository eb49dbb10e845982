package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Finds {@code num_attention_heads}, which no weight shape shows, in the attention sub-graph.
 *
 * <ol>
 *   <li>Primary: the query projection's output {@code (batch, seq, hidden)} is reshaped to
 *       {@code (batch, seq, heads, head_dim)}. The target shape is a constant (initializer or
 *       {@code Constant} node) or, as PyTorch exports it, a {@code Concat} of two runtime sizes
 *       and two constants {@code [heads]}, {@code [head_dim]}. One of the two may be {@code -1}; a
 *       target whose constants do not split {@code hidden} is an error, not a miss.
 *   <li>Fallback: the attention scores {@code Q K^T} (a MatMul of two computed values) are divided
 *       by the scalar constant {@code sqrt(head_dim)} (or multiplied by {@code 1/sqrt(head_dim)}),
 *       giving {@code heads = hidden / head_dim}.
 * </ol>
 */
final class AttentionHeadsProbe {

    private static final long UNKNOWN = Long.MIN_VALUE;

    private AttentionHeadsProbe() {}

    /**
     * @param graph the indexed graph
     * @param queryOutput the value produced by the first layer's query projection
     * @param queryModule its module name, for the message
     * @param hidden the hidden size
     * @return the number of heads
     * @throws ModelFormatException if neither pattern is in the graph
     */
    static int find(OnnxGraphIndex graph, String queryOutput, String queryModule, int hidden)
            throws ModelFormatException {
        OptionalInt heads = fromReshape(graph, queryOutput, queryModule, hidden);
        if (heads.isEmpty()) {
            heads = fromScoreScale(graph, hidden);
        }
        return heads.orElseThrow(() -> new ModelFormatException("ONNX graph of " + graph.source()
                + " does not show the number of attention heads: no Reshape of the output of '" + queryModule
                + "' to (batch, seq, heads, head_dim) and no attention scores divided by sqrt(head_dim)"));
    }

    private static OptionalInt fromReshape(OnnxGraphIndex graph, String queryOutput, String queryModule, int hidden)
            throws ModelFormatException {
        for (NodeProto reshape : graph.consumers(queryOutput, "Reshape")) {
            if (reshape.getInputCount() < 2 || !reshape.getInput(0).equals(queryOutput)) {
                continue;
            }
            Optional<long[]> dims = targetShape(graph, reshape.getInput(1));
            if (dims.isEmpty() || dims.get().length != 4) {
                continue;
            }
            long heads = dims.get()[2];
            long headDim = dims.get()[3];
            if (heads > 0 && headDim > 0 && heads * headDim == hidden) {
                return OptionalInt.of((int) heads);
            }
            if (heads > 0 && headDim == -1 && hidden % heads == 0) {
                return OptionalInt.of((int) heads);
            }
            if (heads == -1 && headDim > 0 && hidden % headDim == 0) {
                return OptionalInt.of((int) (hidden / headDim));
            }
            if (heads != UNKNOWN && headDim != UNKNOWN) {
                throw new ModelFormatException("ONNX graph of " + graph.source() + " reshapes the output of '"
                        + queryModule + "' to " + show(dims.get()) + ", which does not split hidden_size " + hidden
                        + " into (heads, head_dim)");
            }
        }
        return OptionalInt.empty();
    }

    private static String show(long[] dims) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            text.append(i == 0 ? "" : ", ").append(dims[i] == UNKNOWN ? "?" : Long.toString(dims[i]));
        }
        return text.append(']').toString();
    }

    /** The Reshape target as constants; entries computed at run time are {@link #UNKNOWN}. */
    private static Optional<long[]> targetShape(OnnxGraphIndex graph, String value) throws ModelFormatException {
        Optional<TensorProto> constant = graph.constant(value);
        if (constant.isPresent()) {
            return Optional.of(longs(graph, value, constant.get()));
        }
        Optional<NodeProto> concat = graph.producer(value, "Concat");
        if (concat.isEmpty()) {
            return Optional.empty();
        }
        long[] dims = new long[concat.get().getInputCount()];
        for (int i = 0; i < dims.length; i++) {
            String part = concat.get().getInput(i);
            Optional<TensorProto> partConstant = graph.constant(part);
            long[] values = partConstant.isPresent() ? longs(graph, part, partConstant.get()) : new long[0];
            dims[i] = values.length == 1 ? values[0] : UNKNOWN;
        }
        return Optional.of(dims);
    }

    private static long[] longs(OnnxGraphIndex graph, String value, TensorProto tensor) throws ModelFormatException {
        return OnnxTensors.toLongs(tensor, "constant '" + value + "'", graph.source());
    }

    private static OptionalInt fromScoreScale(OnnxGraphIndex graph, int hidden) throws ModelFormatException {
        for (NodeProto node : graph.nodes()) {
            boolean divide = node.getOpType().equals("Div");
            if (!(divide || node.getOpType().equals("Mul")) || node.getInputCount() != 2) {
                continue;
            }
            if (!isScores(graph, node.getInput(0))) {
                continue;
            }
            Optional<Double> scale = ScalarConstants.floatScalar(graph, node.getInput(1));
            if (scale.isEmpty() || !(scale.get() > 0)) {
                continue;
            }
            double squared = divide ? scale.get() * scale.get() : 1 / (scale.get() * scale.get());
            long headDim = Math.round(squared);
            if (headDim > 0 && Math.abs(squared - headDim) < 1e-3 * headDim && hidden % headDim == 0) {
                return OptionalInt.of((int) (hidden / headDim));
            }
        }
        return OptionalInt.empty();
    }

    /** {@code Q K^T}: a MatMul of two values computed in the graph (no weight initializer). */
    private static boolean isScores(OnnxGraphIndex graph, String value) {
        return graph.producer(value, "MatMul")
                .filter(matMul -> matMul.getInputCount() == 2)
                .filter(matMul -> graph.constant(matMul.getInput(0)).isEmpty()
                        && graph.constant(matMul.getInput(1)).isEmpty())
                .isPresent();
    }
}
