package dev.peft4j.examples.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How the label values found in a data file (e.g. {@code "-1"}, {@code "pos"}) become class indices.
 *
 * <p>Either given by the user ({@link #of(Map)}) or, without one, {@linkplain #inferred(Collection)
 * inferred}: the distinct values in sorted order get 0, 1, 2, ... — numerically when every value is
 * an integer ({@code -1, 1} or {@code 2, 10}), otherwise by {@link String#compareTo}.
 *
 * @param indices label value to class index, iterated in index order (unmodifiable)
 * @param inferred whether the mapping was inferred from the data rather than given
 */
public record LabelMapping(Map<String, Integer> indices, boolean inferred) {

    private static final Comparator<String> INTEGER_ORDER = Comparator.comparing(BigInteger::new);

    /**
     * Validates that the indices are 0..n-1, each given to exactly one label value, and orders the
     * map by index.
     *
     * @throws IllegalArgumentException if the map is empty, a label is blank, an index null, or the indices are not
     *     exactly 0..n-1 once each
     */
    public LabelMapping {
        Objects.requireNonNull(indices, "indices");
        if (indices.isEmpty()) {
            throw new IllegalArgumentException("a label mapping needs at least one label");
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(indices.entrySet());
        for (Map.Entry<String, Integer> entry : entries) {
            if (entry.getKey() == null || entry.getKey().isBlank() || entry.getValue() == null) {
                throw new IllegalArgumentException("a label mapping needs a non-blank label and an index in every entry, got "
                        + entry.getKey() + "=" + entry.getValue());
            }
        }
        entries.sort(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Map.Entry<String, Integer> entry = entries.get(i);
            if (entry.getValue() != i) {
                throw new IllegalArgumentException("a label mapping must give each of 0.." + (entries.size() - 1)
                        + " to exactly one label, got " + show(entries));
            }
            ordered.put(entry.getKey(), entry.getValue());
        }
        indices = Collections.unmodifiableMap(ordered);
    }

    /**
     * A mapping the user gives, e.g. {@code {"-1": 0, "1": 1}}.
     *
     * @param indices label value (as written in the file, surrounding whitespace removed) to class index
     * @return the mapping
     * @throws IllegalArgumentException as the constructor
     */
    public static LabelMapping of(Map<String, Integer> indices) {
        return new LabelMapping(indices, false);
    }

    /**
     * The mapping used when none is given: the distinct values in sorted order (numeric when all are
     * integers) get 0, 1, 2, ...
     *
     * @param values the label values found, duplicates allowed
     * @return the inferred mapping
     * @throws IllegalArgumentException if {@code values} is empty
     */
    public static LabelMapping inferred(Collection<String> values) {
        boolean allIntegers = !values.isEmpty() && values.stream().allMatch(LabelMapping::isInteger);
        TreeSet<String> sorted = new TreeSet<>(allIntegers ? INTEGER_ORDER : Comparator.naturalOrder());
        sorted.addAll(values);
        Map<String, Integer> indices = new LinkedHashMap<>();
        for (String value : sorted) {
            indices.put(value, indices.size());
        }
        return new LabelMapping(indices, true);
    }

    /** @return the number of classes */
    public int size() {
        return indices.size();
    }

    /** @return the label values by class index: {@code names().get(i)} is the value mapped to {@code i} */
    public List<String> names() {
        return List.copyOf(indices.keySet());
    }

    /** @return the mapping as a user reads it, e.g. {@code -1 -> 0, 1 -> 1} */
    public String describe() {
        return indices.entrySet().stream()
                .map(entry -> entry.getKey() + " -> " + entry.getValue())
                .collect(Collectors.joining(", "));
    }

    private static boolean isInteger(String value) {
        return value.matches("[-+]?\\d+");
    }

    private static String show(List<Map.Entry<String, Integer>> entries) {
        return entries.stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
