package dev.peft4j.core.io.onnx;

import static dev.peft4j.core.io.onnx.BertWeightLayout.EMBEDDINGS_LAYER_NORM;
import static dev.peft4j.core.io.onnx.BertWeightLayout.LAYER_NORMS;
import static dev.peft4j.core.io.onnx.BertWeightLayout.LINEARS;
import static dev.peft4j.core.io.onnx.BertWeightLayout.POSITION_EMBEDDINGS;
import static dev.peft4j.core.io.onnx.BertWeightLayout.TOKEN_TYPE_EMBEDDINGS;
import static dev.peft4j.core.io.onnx.BertWeightLayout.WORD_EMBEDDINGS;
import static dev.peft4j.core.io.onnx.BertWeightLayout.layerPrefix;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.LinearTracer.Linear;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import dev.peft4j.core.model.BertConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an indexed ONNX graph of a BERT encoder into an {@link ImportedBert}: checks that every
 * tensor of HF {@code BertModel} is there, derives the {@link BertConfig}, decodes and names the
 * tensors and checks their shapes against the config.
 */
final class BertGraphReader {

    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");
    /** A state-dict style name ({@code pooler.dense.bias}), unlike {@code onnx::MatMul_1} or {@code /x/Constant}. */
    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z_]\\w*(\\.\\w+)*");
    private static final double HF_DROPOUT = 0.1;
    private static final int HF_PAD_TOKEN_ID = 0;

    private final OnnxGraphIndex graph;
    private final String source;
    private final Map<String, Linear> linears;

    private BertGraphReader(OnnxGraphIndex graph, Map<String, Linear> linears) {
        this.graph = graph;
        this.source = graph.source();
        this.linears = linears;
    }

    static ImportedBert read(OnnxGraphIndex graph) throws ModelFormatException {
        return new BertGraphReader(graph, LinearTracer.trace(graph)).read();
    }

    private ImportedBert read() throws ModelFormatException {
        int layers = layerCount();
        requireStructure(layers);
        BertConfig config = config(layers);
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        Set<String> consumed = new HashSet<>();
        for (Map.Entry<String, long[]> expected : BertWeightLayout.expectedShapes(config).entrySet()) {
            HostTensor tensor = tensor(expected.getKey(), consumed);
            if (!Arrays.equals(tensor.shape(), expected.getValue())) {
                throw new ModelFormatException("'" + expected.getKey() + "' in " + source + " has shape "
                        + Arrays.toString(tensor.shape()) + "; expected " + Arrays.toString(expected.getValue())
                        + origin(expected.getKey()));
            }
            weights.put(expected.getKey(), tensor);
        }
        for (String module : linears.keySet()) {
            String key = module + ".weight";
            if (!weights.containsKey(key)) {
                weights.put(key, tensor(key, consumed));
            }
        }
        List<String> skipped = new ArrayList<>();
        for (TensorProto initializer : graph.initializers()) {
            String name = initializer.getName();
            if (consumed.contains(name)) {
                continue;
            }
            if (initializer.getDataType() != OnnxTensors.FLOAT || !MODULE_NAME.matcher(name).matches()) {
                skipped.add(name);
            } else if (weights.containsKey(name)) {
                throw new ModelFormatException("ONNX graph of " + source + " defines '" + name
                        + "' twice: as an initializer and as a MatMul weight" + origin(name));
            } else {
                weights.put(name, OnnxTensors.toFloat(initializer, "initializer '" + name + "'", source));
            }
        }
        return new ImportedBert(config, weights, skipped);
    }

    /** One more than the largest {@code N} in an {@code encoder.layer.N.} initializer name, at least 1. */
    private int layerCount() {
        int max = -1;
        for (TensorProto initializer : graph.initializers()) {
            Matcher matcher = LAYER.matcher(initializer.getName());
            if (matcher.find()) {
                max = Math.max(max, Integer.parseInt(matcher.group(1)));
            }
        }
        return Math.max(1, max + 1);
    }

    private void requireStructure(int layers) throws ModelFormatException {
        for (String name : List.of(WORD_EMBEDDINGS, POSITION_EMBEDDINGS, TOKEN_TYPE_EMBEDDINGS,
                EMBEDDINGS_LAYER_NORM + ".weight", EMBEDDINGS_LAYER_NORM + ".bias")) {
            requireInitializer(name);
        }
        for (int layer = 0; layer < layers; layer++) {
            String prefix = layerPrefix(layer);
            for (String linear : LINEARS) {
                String bias = prefix + linear + ".bias";
                requireInitializer(bias);
                if (!linears.containsKey(prefix + linear)) {
                    throw new ModelFormatException("ONNX graph of " + source
                            + " has no MatMul feeding an Add with bias '" + bias + "'");
                }
            }
            for (String norm : LAYER_NORMS) {
                requireInitializer(prefix + norm + ".weight");
                requireInitializer(prefix + norm + ".bias");
            }
        }
    }

    private TensorProto requireInitializer(String name) throws ModelFormatException {
        return graph.initializer(name).orElseThrow(
                () -> new ModelFormatException("missing initializer '" + name + "' in " + source));
    }

    private BertConfig config(int layers) throws ModelFormatException {
        long[] word = dims(WORD_EMBEDDINGS, 2, "(vocab_size, hidden_size)");
        long[] position = dims(POSITION_EMBEDDINGS, 2, "(max_position_embeddings, hidden_size)");
        long[] tokenType = dims(TOKEN_TYPE_EMBEDDINGS, 2, "(type_vocab_size, hidden_size)");
        String intermediateBias = layerPrefix(0) + "intermediate.dense.bias";
        long[] intermediate = dims(intermediateBias, 1, "(intermediate_size)");
        int hidden = toInt(word[1], WORD_EMBEDDINGS);
        String query = layerPrefix(0) + "attention.self.query";
        int heads = AttentionHeadsProbe.find(graph, linears.get(query).output(), query, hidden);
        double epsilon = layerNormEpsilon(layers);
        ActivationProbe.requireExactGelu(graph);
        try {
            return new BertConfig("bert", toInt(word[0], WORD_EMBEDDINGS), hidden, layers, heads,
                    toInt(intermediate[0], intermediateBias), BertConfig.GELU, HF_DROPOUT, HF_DROPOUT,
                    toInt(position[0], POSITION_EMBEDDINGS), toInt(tokenType[0], TOKEN_TYPE_EMBEDDINGS), epsilon,
                    HF_PAD_TOKEN_ID, List.of("BertModel"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("ONNX model " + source + " yields an invalid BERT config: "
                    + e.getMessage(), e);
        }
    }

    private long[] dims(String name, int rank, String meaning) throws ModelFormatException {
        long[] dims = requireInitializer(name).getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (dims.length != rank) {
            throw new ModelFormatException("'" + name + "' in " + source + " has shape " + Arrays.toString(dims)
                    + "; expected " + meaning);
        }
        return dims;
    }

    private int toInt(long dim, String name) throws ModelFormatException {
        if (dim <= 0 || dim > Integer.MAX_VALUE) {
            throw new ModelFormatException("'" + name + "' in " + source + " has dimension " + dim
                    + "; expected 1.." + Integer.MAX_VALUE);
        }
        return (int) dim;
    }

    /** The epsilon shared by every LayerNorm; BertConfig has one. */
    private double layerNormEpsilon(int layers) throws ModelFormatException {
        List<String> norms = new ArrayList<>();
        norms.add(EMBEDDINGS_LAYER_NORM);
        for (int layer = 0; layer < layers; layer++) {
            for (String norm : LAYER_NORMS) {
                norms.add(layerPrefix(layer) + norm);
            }
        }
        double first = LayerNormEpsilonProbe.find(graph, norms.getFirst());
        for (String norm : norms.subList(1, norms.size())) {
            double epsilon = LayerNormEpsilonProbe.find(graph, norm);
            if (epsilon != first) {
                throw new ModelFormatException("LayerNorm epsilons differ in " + source + ": '" + norms.getFirst()
                        + "' has " + first + ", '" + norm + "' has " + epsilon + "; BertConfig has one layer_norm_eps");
            }
        }
        return first;
    }

    /** Decodes a tensor by its HF name: a traced linear weight (made {@code (out, in)}) or a named initializer. */
    private HostTensor tensor(String key, Set<String> consumed) throws ModelFormatException {
        Linear linear = key.endsWith(".weight") ? linears.get(key.substring(0, key.length() - ".weight".length())) : null;
        if (linear == null) {
            consumed.add(key);
            return OnnxTensors.toFloat(requireInitializer(key), "initializer '" + key + "'", source);
        }
        consumed.add(linear.weight());
        HostTensor stored = OnnxTensors.toFloat(requireInitializer(linear.weight()),
                "initializer '" + linear.weight() + "'", source);
        if (linear.storedOutIn()) {
            return stored;
        }
        if (stored.shape().length != 2) {
            throw new ModelFormatException("MatMul initializer '" + linear.weight() + "' in " + source + " for '" + key
                    + "' has shape " + Arrays.toString(stored.shape()) + "; expected 2-D (in, out)");
        }
        return stored.transpose2d();
    }

    private String origin(String key) {
        Linear linear = key.endsWith(".weight") ? linears.get(key.substring(0, key.length() - ".weight".length())) : null;
        if (linear == null) {
            return "";
        }
        return linear.storedOutIn()
                ? " (initializer '" + linear.weight() + "' read through a Transpose)"
                : " (MatMul initializer '" + linear.weight() + "' transposed to (out, in))";
    }
}
