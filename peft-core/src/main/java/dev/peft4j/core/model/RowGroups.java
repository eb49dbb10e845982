package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.spi.RowAdapters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Computes a block's output group by group over the rows of a mixed-adapter batch, HF PEFT's
 * {@code _mixed_batch_forward}: the rows of each adapter (in {@link RowAdapters#groups()} order)
 * are gathered into one sub-batch, computed, and the results put back into row order with one
 * gather, so every row gets exactly what a batch of its own adapter's rows would give it.
 */
public final class RowGroups {

    private RowGroups() {}

    /**
     * @param input {@code (batch, ...)}; row {@code i} belongs to {@code rows.names().get(i)}
     * @param rows each row's adapter
     * @param compute the output of one group: {@code (name, sub-batch (n, ...)) -> (n, ...)}, or
     *     {@code null} for "nothing" (zeros, e.g. no LoRA term for the rows of {@link RowAdapters#BASE})
     * @return the outputs {@code (batch, ...)} in row order, or {@code null} if every group gave {@code null}
     * @throws IllegalArgumentException if the batch has another number of rows than {@code rows}
     * @throws IllegalStateException if two groups' outputs differ in shape beyond the first axis
     *     (e.g. classifier copies with different label counts), naming both
     */
    public static NDArray apply(NDArray input, RowAdapters rows, BiFunction<String, NDArray, NDArray> compute) {
        long batch = input.getShape().get(0);
        if (batch != rows.rows()) {
            throw new IllegalArgumentException("adapter_names has " + rows.rows() + " names, but the batch has " + batch + " rows");
        }
        NDManager manager = input.getManager();
        Map<String, int[]> groups = rows.groups();
        List<String> names = new ArrayList<>(groups.keySet());
        List<NDArray> outputs = new ArrayList<>();
        Shape rowShape = null;
        String shapeOwner = null;
        for (String name : names) {
            int[] members = groups.get(name);
            NDArray subBatch = groups.size() == 1 ? input : input.get(manager.create(toLongs(members)));
            NDArray output = compute.apply(name, subBatch);
            outputs.add(output);
            if (output != null) {
                Shape shape = output.getShape().slice(1);
                if (rowShape == null) {
                    rowShape = shape;
                    shapeOwner = name;
                } else if (!rowShape.equals(shape)) {
                    throw new IllegalStateException("rows of '" + shapeOwner + "' give outputs of shape " + rowShape + " per row, rows of '"
                            + name + "' give " + shape + "; one batch cannot hold both (e.g. heads with different label counts)");
                }
            }
        }
        if (rowShape == null) {
            return null;
        }
        if (groups.size() == 1) {
            return outputs.getFirst();
        }
        NDList parts = new NDList();
        long[] order = new long[rows.rows()];
        int position = 0;
        for (int g = 0; g < names.size(); g++) {
            int[] members = groups.get(names.get(g));
            NDArray output = outputs.get(g);
            parts.add(output != null ? output : manager.zeros(new Shape(members.length).addAll(rowShape), input.getDataType()));
            for (int row : members) {
                order[row] = position++;
            }
        }
        return NDArrays.concat(parts, 0).get(manager.create(order));
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
