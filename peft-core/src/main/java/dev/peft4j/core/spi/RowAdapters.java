package dev.peft4j.core.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The adapter of every row of one mixed-adapter batch, HF PEFT's {@code adapter_names} keyword:
 * row {@code i} of the batch {@code (batch, ...)} uses adapter {@code names.get(i)}, or the base
 * model for {@link #BASE} ({@code "__base__"}, HF's placeholder). The rows are grouped once, by
 * adapter in order of first appearance ({@link #groups()}), so each layer computes one adapter's
 * term per group of rows (HF's {@code _mixed_batch_forward}).
 *
 * @param names one adapter name (or {@link #BASE}) per batch row
 */
public record RowAdapters(List<String> names) {

    /** HF PEFT's name for rows that use the base model: no adapter computes for them. */
    public static final String BASE = "__base__";

    /**
     * @throws IllegalArgumentException if {@code names} is empty or holds {@code null}
     */
    public RowAdapters {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("adapter_names must name one adapter (or " + BASE + ") per batch row, got "
                    + names);
        }
        names = List.copyOf(names);
    }

    /** @return the number of rows */
    public int rows() {
        return names.size();
    }

    /**
     * @return each distinct name (adapters and {@link #BASE}) with its rows in increasing order, by
     *     first appearance
     */
    public Map<String, int[]> groups() {
        Map<String, List<Integer>> lists = new LinkedHashMap<>();
        for (int row = 0; row < names.size(); row++) {
            lists.computeIfAbsent(names.get(row), name -> new ArrayList<>()).add(row);
        }
        Map<String, int[]> groups = new LinkedHashMap<>();
        lists.forEach((name, rows) -> groups.put(name, rows.stream().mapToInt(Integer::intValue).toArray()));
        return groups;
    }
}
