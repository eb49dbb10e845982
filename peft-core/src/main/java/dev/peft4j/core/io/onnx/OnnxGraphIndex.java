package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.AttributeProto;
import dev.peft4j.core.io.onnx.proto.GraphProto;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lookup tables over an ONNX graph: initializers by name, the node producing each value, the
 * nodes consuming each value, and constants (an initializer or a {@code Constant} node's
 * {@code value} tensor) by value name.
 */
final class OnnxGraphIndex {

    private final String source;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final List<NodeProto> nodes;

    /**
     * @param graph the graph
     * @param source the file name used in messages
     * @throws ModelFormatException if two initializers share a name
     */
    OnnxGraphIndex(GraphProto graph, String source) throws ModelFormatException {
        this.source = source;
        this.nodes = graph.getNodeList();
        for (TensorProto initializer : graph.getInitializerList()) {
            if (initializers.putIfAbsent(initializer.getName(), initializer) != null) {
                throw new ModelFormatException(
                        "duplicate initializer '" + initializer.getName() + "' in " + source);
            }
        }
        for (NodeProto node : nodes) {
            for (String output : node.getOutputList()) {
                producers.put(output, node);
            }
            for (String input : node.getInputList()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
    }

    /** @return the file name used in messages */
    String source() {
        return source;
    }

    /** @return all initializers in file order */
    Collection<TensorProto> initializers() {
        return Collections.unmodifiableCollection(initializers.values());
    }

    Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    /** @return all nodes in graph order */
    List<NodeProto> nodes() {
        return nodes;
    }

    Optional<NodeProto> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** @return the nodes with {@code opType} that read {@code value}, in graph order */
    List<NodeProto> consumers(String value, String opType) {
        List<NodeProto> found = new ArrayList<>();
        for (NodeProto node : consumers.getOrDefault(value, List.of())) {
            if (node.getOpType().equals(opType)) {
                found.add(node);
            }
        }
        return found;
    }

    /** @return the node producing {@code value} if it has the given op type */
    Optional<NodeProto> producer(String value, String opType) {
        return producer(value).filter(node -> node.getOpType().equals(opType));
    }

    /**
     * @param value a value name
     * @return its tensor if it is an initializer or the output of a {@code Constant} node with a
     *     {@code value} attribute
     */
    Optional<TensorProto> constant(String value) {
        TensorProto initializer = initializers.get(value);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        return producer(value, "Constant").flatMap(node -> attribute(node, "value")).filter(AttributeProto::hasT)
                .map(AttributeProto::getT);
    }

    /** @return the attribute of {@code node} with this name */
    static Optional<AttributeProto> attribute(NodeProto node, String name) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals(name)) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }

    /** @return the input of a two-input node that is not {@code known} */
    static Optional<String> otherInput(NodeProto node, String known) {
        if (node.getInputCount() != 2) {
            return Optional.empty();
        }
        if (node.getInput(0).equals(known)) {
            return Optional.of(node.getInput(1));
        }
        return node.getInput(1).equals(known) ? Optional.of(node.getInput(0)) : Optional.empty();
    }
}
