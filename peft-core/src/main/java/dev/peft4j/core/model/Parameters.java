package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.peft4j.core.io.HostTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers over a block's named parameters: counting, copying, and host-tensor exchange. */
public final class Parameters {

    private Parameters() {}

    /**
     * Copies every parameter value of {@code source} into {@code target}, allocating the target's
     * arrays in the source arrays' manager.
     *
     * @param source an initialized block
     * @param target a block with the same parameter names and shapes
     */
    static void copyValues(Block source, Block target) {
        Map<String, Parameter> targetParameters = byName(target);
        for (Pair<String, Parameter> entry : source.getParameters()) {
            NDArray value = entry.getValue().getArray();
            Parameter to = targetParameters.get(entry.getKey());
            to.initialize(value.getManager(), value.getDataType());
            value.copyTo(to.getArray());
        }
    }

    /**
     * The block's parameters keyed by dotted path.
     *
     * @param block any block
     * @return an ordered map
     */
    public static Map<String, Parameter> byName(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            out.put(entry.getKey(), entry.getValue());
        }
        return out;
    }

    /**
     * Counts the elements of parameters.
     *
     * @param block any initialized block
     * @param trainableOnly count only parameters that require gradients
     * @return the number of scalars
     */
    public static long count(Block block, boolean trainableOnly) {
        long total = 0;
        for (Parameter parameter : block.getParameters().values()) {
            if (!trainableOnly || parameter.requiresGradient()) {
                total += parameter.getShape().size();
            }
        }
        return total;
    }

    /**
     * Reads every parameter into host memory, keyed by dotted path.
     *
     * @param block an initialized block
     * @return the fp32 state dict
     */
    public static Map<String, HostTensor> stateDict(Block block) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            NDArray array = entry.getValue().getArray();
            out.put(entry.getKey(), new HostTensor(array.getShape().getShape(), array.toFloatArray()));
        }
        return out;
    }

    /**
     * Writes host tensors into a block's parameters, which must be initialized.
     *
     * @param block an initialized block
     * @param weights tensors keyed by dotted path
     * @param strict whether every parameter must be given and every tensor must be used
     * @throws IllegalArgumentException naming missing or unexpected keys, or a shape mismatch
     */
    public static void loadStateDict(Block block, Map<String, HostTensor> weights, boolean strict) {
        Map<String, Parameter> parameters = byName(block);
        if (strict) {
            var missing = parameters.keySet().stream().filter(k -> !weights.containsKey(k)).sorted().toList();
            var unexpected = weights.keySet().stream().filter(k -> !parameters.containsKey(k)).sorted().toList();
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException("weights do not fit the model: missing " + missing
                        + ", unexpected " + unexpected);
            }
        }
        for (Map.Entry<String, HostTensor> entry : weights.entrySet()) {
            Parameter parameter = parameters.get(entry.getKey());
            if (parameter == null) {
                continue;
            }
            HostTensor tensor = entry.getValue();
            long[] expected = parameter.getShape().getShape();
            if (!Arrays.equals(expected, tensor.shape())) {
                throw new IllegalArgumentException("weight '" + entry.getKey() + "' has shape "
                        + Arrays.toString(tensor.shape()) + ", the model expects " + Arrays.toString(expected));
            }
            parameter.getArray().set(tensor.values());
        }
    }
}
