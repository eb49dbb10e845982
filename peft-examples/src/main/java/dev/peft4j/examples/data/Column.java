package dev.peft4j.examples.data;

import java.util.Objects;

/**
 * Where a value sits in a row: a column name (a CSV header name or a JSON key) or a 0-based
 * column index (CSV only).
 *
 * <p>Exactly one of {@code name} and {@code index} is set: {@code index} is {@code -1} for a named
 * column and {@code name} is null for an indexed one. Build one with {@link #named(String)} or
 * {@link #at(int)}.
 *
 * @param name the column name, or null
 * @param index the 0-based column index, or -1
 */
public record Column(String name, int index) {

    /**
     * Validates that exactly one of the two is given.
     *
     * @throws IllegalArgumentException if both or neither are set, the name is blank or the index
     *     is below -1
     */
    public Column {
        if (name == null ? index < 0 : index != -1) {
            throw new IllegalArgumentException("a column has either a name or an index >= 0, got name "
                    + name + " and index " + index);
        }
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("a column name must not be blank");
        }
    }

    /**
     * @param name a CSV header name or JSON key, matched exactly
     * @return the named column
     */
    public static Column named(String name) {
        return new Column(Objects.requireNonNull(name, "name"), -1);
    }

    /**
     * @param index the 0-based column index
     * @return the indexed column
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public static Column at(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("a column index must be >= 0, got " + index);
        }
        return new Column(null, index);
    }

    /** @return whether this column is addressed by name */
    public boolean isNamed() {
        return name != null;
    }

    /** @return {@code 'name'} for a named column, the index for an indexed one, as messages show it */
    @Override
    public String toString() {
        return isNamed() ? "'" + name + "'" : Integer.toString(index);
    }
}
