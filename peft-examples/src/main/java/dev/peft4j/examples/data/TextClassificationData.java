package dev.peft4j.examples.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's own labelled texts for sequence classification, read from CSV or JSON Lines.
 *
 * <p>{@link #read(TextDataSpec)} takes the text and label columns (by name, or by 0-based index in
 * a CSV), strips surrounding whitespace from both, and maps labels to class indices with the given
 * {@link LabelMapping} or, without one, in sorted order of the distinct label values (reported in
 * {@link #labels()} and logged). UTF-8 only; a leading byte order mark is skipped; quoted CSV fields
 * may span lines. Line numbers in messages are 1-based physical lines where the row starts.
 *
 * <p>Every problem is one {@link TextDataException} whose message names the file (as given) and,
 * where it has one, the line:
 * <ul>
 *   <li>{@code <file> holds no rows} — no data row (a CSV with only a header counts as empty);</li>
 *   <li>{@code <file>: no column 'sentence'; columns: [label, text]} — a name the CSV header lacks
 *       (JSONL: {@code <file> line 3: no column ...} with that line's keys);</li>
 *   <li>{@code <file> line 3: column index 5 is out of range; the row has 2 columns};</li>
 *   <li>{@code <file> line 7: label 'neutral' is not in the label mapping; known: [neg, pos]};</li>
 *   <li>{@code <file> line 4: expected a JSON object, got an array} and
 *       {@code <file> line 4: not valid JSON: ...};</li>
 *   <li>{@code <file> line 5: blank text in column 'text'} (and {@code blank label in column ...});</li>
 *   <li>a named column in a CSV without header, an index for JSONL, a repeated header name,
 *       malformed CSV quoting, bytes that are not UTF-8.</li>
 * </ul>
 *
 * @param file the file read
 * @param rows the labelled rows in file order (unmodifiable)
 * @param labels how label values became class indices; {@link LabelMapping#names()} are the class names
 */
public record TextClassificationData(Path file, List<LabeledText> rows, LabelMapping labels) {

    private static final Logger LOG = LoggerFactory.getLogger(TextClassificationData.class);

    /** Copies the rows. */
    public TextClassificationData {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(labels, "labels");
        rows = List.copyOf(rows);
    }

    /**
     * Reads a data file.
     *
     * @param spec the file, format, columns and label mapping
     * @return the rows and the label mapping used
     * @throws TextDataException if the content cannot become labelled rows (one clear message, see above)
     * @throws IOException if the file cannot be read, e.g. {@link java.nio.file.NoSuchFileException}
     */
    public static TextClassificationData read(TextDataSpec spec) throws IOException {
        List<RawRow> raw = switch (spec.format()) {
            case CSV -> CsvRows.read(spec);
            case JSONL -> JsonlRows.read(spec);
        };
        if (raw.isEmpty()) {
            throw new TextDataException(spec.file() + " holds no rows");
        }
        LabelMapping labels = spec.labelMapping();
        if (labels == null) {
            labels = LabelMapping.inferred(raw.stream().map(RawRow::label).toList());
            LOG.info("{}: no label mapping given; labels in sorted order: {}", spec.file(), labels.describe());
        }
        List<LabeledText> rows = new ArrayList<>(raw.size());
        for (RawRow row : raw) {
            Integer index = labels.indices().get(row.label());
            if (index == null) {
                throw new TextDataException(RawRow.where(spec.file(), row.line()) + ": label '" + row.label()
                        + "' is not in the label mapping; known: " + labels.names());
            }
            rows.add(new LabeledText(row.text(), index));
        }
        return new TextClassificationData(spec.file(), rows, labels);
    }

    /** @return the class names by index, i.e. the label values as written in the file */
    public List<String> labelNames() {
        return labels.names();
    }
}
