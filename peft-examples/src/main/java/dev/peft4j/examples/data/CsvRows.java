package dev.peft4j.examples.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the text and label columns of a CSV file with Apache Commons CSV: RFC 4180 quoting (quoted
 * fields may hold commas, doubled quotes and newlines), {@code \n} or {@code \r\n} line ends, an
 * optional header row, a leading byte order mark skipped, empty lines skipped.
 */
final class CsvRows {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            .setIgnoreEmptyLines(false) // skipped below, so line numbers stay exact
            .get();

    private CsvRows() {
    }

    /**
     * @param spec the file and columns to read
     * @return the rows in file order
     * @throws TextDataException if the content is not usable (see {@link TextClassificationData})
     * @throws IOException if the file cannot be read
     */
    static List<RawRow> read(TextDataSpec spec) throws IOException {
        Path file = spec.file();
        try (BufferedReader reader = Utf8Files.open(file);
                CSVParser parser = CSVParser.builder().setReader(reader).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            int textIndex;
            int labelIndex;
            if (spec.header()) {
                List<String> names = header(file, records);
                textIndex = indexOf(file, names, spec.textColumn());
                labelIndex = indexOf(file, names, spec.labelColumn());
            } else {
                textIndex = unnamedIndex(file, spec.textColumn());
                labelIndex = unnamedIndex(file, spec.labelColumn());
            }
            List<RawRow> rows = new ArrayList<>();
            while (true) {
                long line = parser.getCurrentLineNumber() + 1;
                if (!records.hasNext()) {
                    break;
                }
                CSVRecord record = records.next();
                if (isEmptyLine(record)) {
                    continue;
                }
                rows.add(RawRow.of(spec, line, field(file, line, record, textIndex), field(file, line, record, labelIndex)));
            }
            return rows;
        } catch (UncheckedIOException e) {
            throw translate(file, e.getCause());
        } catch (CharacterCodingException | CSVException e) {
            throw translate(file, e);
        }
    }

    private static List<String> header(Path file, Iterator<CSVRecord> records) throws TextDataException {
        while (records.hasNext()) {
            CSVRecord record = records.next();
            if (!isEmptyLine(record)) {
                return record.stream().map(String::strip).toList();
            }
        }
        throw new TextDataException(file + " holds no rows");
    }

    private static int indexOf(Path file, List<String> names, Column column) throws TextDataException {
        if (!column.isNamed()) {
            return column.index();
        }
        int index = names.indexOf(column.name());
        if (index < 0) {
            throw new TextDataException(file + ": no column " + column + "; columns: " + names);
        }
        if (names.lastIndexOf(column.name()) != index) {
            throw new TextDataException(file + ": column " + column + " appears more than once in the header " + names);
        }
        return index;
    }

    private static int unnamedIndex(Path file, Column column) throws TextDataException {
        if (column.isNamed()) {
            throw new TextDataException(file + ": column " + column
                    + " is named, but the CSV has no header row; give its 0-based index");
        }
        return column.index();
    }

    private static String field(Path file, long line, CSVRecord record, int index) throws TextDataException {
        if (index >= record.size()) {
            throw new TextDataException(RawRow.where(file, line) + ": column index " + index
                    + " is out of range; the row has " + record.size() + (record.size() == 1 ? " column" : " columns"));
        }
        return record.get(index);
    }

    private static boolean isEmptyLine(CSVRecord record) {
        return record.size() == 1 && record.get(0).isEmpty();
    }

    private static IOException translate(Path file, IOException cause) {
        if (cause instanceof CharacterCodingException) {
            return new TextDataException(file + ": not UTF-8 text", cause);
        }
        if (cause instanceof CSVException) {
            return new TextDataException(file + ": malformed CSV: " + cause.getMessage(), cause);
        }
        return cause;
    }
}
