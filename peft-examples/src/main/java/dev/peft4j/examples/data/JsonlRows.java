package dev.peft4j.examples.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the text and label fields of a JSON Lines file with Jackson: one JSON object per line, blank
 * lines skipped, a leading byte order mark skipped. Values may be strings, numbers or booleans
 * (a number label {@code 1} and a string label {@code "1"} are the same label); null is blank.
 */
final class JsonlRows {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlRows() {
    }

    /**
     * @param spec the file and columns to read; both columns must be named
     * @return the rows in file order
     * @throws TextDataException if the content is not usable (see {@link TextClassificationData})
     * @throws IOException if the file cannot be read
     */
    static List<RawRow> read(TextDataSpec spec) throws IOException {
        Path file = spec.file();
        requireNamed(file, spec.textColumn());
        requireNamed(file, spec.labelColumn());
        List<RawRow> rows = new ArrayList<>();
        try (BufferedReader reader = Utf8Files.open(file)) {
            long line = 0;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode object = parseObject(file, line, text);
                rows.add(RawRow.of(spec, line,
                        value(file, line, object, spec.textColumn()),
                        value(file, line, object, spec.labelColumn())));
            }
        } catch (CharacterCodingException e) {
            throw new TextDataException(file + ": not UTF-8 text", e);
        }
        return rows;
    }

    private static void requireNamed(Path file, Column column) throws TextDataException {
        if (!column.isNamed()) {
            throw new TextDataException(file + ": JSONL rows are objects, so columns need names; got column index "
                    + column.index());
        }
    }

    private static JsonNode parseObject(Path file, long line, String text) throws TextDataException {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TextDataException(RawRow.where(file, line) + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!node.isObject()) {
            throw new TextDataException(RawRow.where(file, line) + ": expected a JSON object, got " + describe(node));
        }
        return node;
    }

    private static String value(Path file, long line, JsonNode object, Column column) throws TextDataException {
        JsonNode value = object.get(column.name());
        if (value == null) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            throw new TextDataException(RawRow.where(file, line) + ": no column " + column + "; columns: " + names);
        }
        if (value.isNull()) {
            return null;
        }
        if (value.isContainerNode()) {
            throw new TextDataException(RawRow.where(file, line) + ": column " + column + " holds " + describe(value)
                    + "; expected a string, number or boolean");
        }
        return value.asText();
    }

    private static String describe(JsonNode node) {
        String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return (type.startsWith("a") || type.startsWith("o") ? "an " : "a ") + type;
    }
}
