package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Flattens a JSON object into (key, value) rows for a two-column table: nested object keys are
 * joined with dots ({@code optimizer.lr}), an array of scalars becomes one comma-separated value,
 * an array holding objects or arrays is flattened by index ({@code methods.0.r}), {@code null}
 * inside an object prints as {@code null}, and an empty object or array as {@code {}} / {@code []}.
 */
final class JsonRows {

    /**
     * @param key the dotted path
     * @param value the scalar's text
     */
    record Row(String key, String value) {}

    private JsonRows() {}

    /**
     * @param node a JSON value; {@code null}, JSON {@code null} or a missing node gives no rows
     * @return the rows in document order
     */
    static List<Row> flatten(JsonNode node) {
        List<Row> rows = new ArrayList<>();
        if (node != null && !node.isMissingNode() && !node.isNull()) {
            flatten("", node, rows);
        }
        return rows;
    }

    private static void flatten(String prefix, JsonNode node, List<Row> rows) {
        if (node.isObject()) {
            if (node.isEmpty() && !prefix.isEmpty()) {
                rows.add(new Row(prefix, "{}"));
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), rows);
            }
        } else if (node.isArray()) {
            boolean scalars = true;
            for (JsonNode element : node) {
                scalars &= element.isValueNode();
            }
            if (scalars) {
                List<String> values = new ArrayList<>();
                node.forEach(element -> values.add(element.asText()));
                rows.add(new Row(prefix.isEmpty() ? "(value)" : prefix, node.isEmpty() ? "[]" : String.join(", ", values)));
            } else {
                for (int i = 0; i < node.size(); i++) {
                    flatten(prefix.isEmpty() ? String.valueOf(i) : prefix + "." + i, node.get(i), rows);
                }
            }
        } else {
            rows.add(new Row(prefix.isEmpty() ? "(value)" : prefix, node.isNull() ? "null" : node.asText()));
        }
    }
}
