package dev.peft4j.examples.data;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link TextClassificationData#read(TextDataSpec)} reads: the file, its format, which columns
 * hold the text and the label, whether a CSV starts with a header row, and an optional label mapping.
 *
 * <p>Build one with {@link #builder(Path)}; by default the format follows the file name
 * ({@link TextFormat#fromFileName(Path)}), the text is in the column named {@code text}, the label
 * in the column named {@code label}, a CSV has a header row, and labels are mapped in sorted order
 * ({@link LabelMapping#inferred}).
 *
 * @param file the data file (UTF-8, an optional byte order mark is skipped)
 * @param format how to parse it
 * @param textColumn the column with the text; JSONL needs a named column
 * @param labelColumn the column with the label; JSONL needs a named column
 * @param header whether the first CSV record names the columns (ignored for JSONL)
 * @param labelMapping label value to class index, or null to infer one from the data
 */
public record TextDataSpec(Path file, TextFormat format, Column textColumn, Column labelColumn, boolean header,
        LabelMapping labelMapping) {

    /** Checks the required components. */
    public TextDataSpec {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(textColumn, "textColumn");
        Objects.requireNonNull(labelColumn, "labelColumn");
    }

    /**
     * @param file the data file
     * @return a builder with the defaults described above
     */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** Builds a {@link TextDataSpec}; every option has a default. */
    public static final class Builder {

        private final Path file;
        private TextFormat format;
        private Column textColumn = Column.named("text");
        private Column labelColumn = Column.named("label");
        private boolean header = true;
        private LabelMapping labelMapping;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /**
         * @param format the format, instead of the one the file name implies
         * @return this builder
         */
        public Builder optFormat(TextFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * @param name the header name (CSV) or key (JSONL) of the text column
         * @return this builder
         */
        public Builder optTextColumn(String name) {
            this.textColumn = Column.named(name);
            return this;
        }

        /**
         * @param index the 0-based index of the text column (CSV)
         * @return this builder
         */
        public Builder optTextColumn(int index) {
            this.textColumn = Column.at(index);
            return this;
        }

        /**
         * @param name the header name (CSV) or key (JSONL) of the label column
         * @return this builder
         */
        public Builder optLabelColumn(String name) {
            this.labelColumn = Column.named(name);
            return this;
        }

        /**
         * @param index the 0-based index of the label column (CSV)
         * @return this builder
         */
        public Builder optLabelColumn(int index) {
            this.labelColumn = Column.at(index);
            return this;
        }

        /**
         * @param header whether the CSV's first record is a header row (default true)
         * @return this builder
         */
        public Builder optHeader(boolean header) {
            this.header = header;
            return this;
        }

        /**
         * @param indices label value to class index, e.g. {@code {"-1": 0, "1": 1}}
         * @return this builder
         * @throws IllegalArgumentException if the indices are not exactly 0..n-1 once each
         */
        public Builder optLabelMapping(Map<String, Integer> indices) {
            this.labelMapping = LabelMapping.of(indices);
            return this;
        }

        /**
         * @return the spec
         * @throws IllegalArgumentException if no format was given and the file name implies none
         */
        public TextDataSpec build() {
            TextFormat resolved = format != null ? format : TextFormat.fromFileName(file);
            return new TextDataSpec(file, resolved, textColumn, labelColumn, header, labelMapping);
        }
    }
}
