package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.examples.data.DatasetSplit;
import dev.peft4j.examples.data.LabeledText;
import dev.peft4j.examples.data.RottenTomatoes;
import dev.peft4j.examples.data.StratifiedSplit;
import dev.peft4j.examples.data.TextClassificationData;
import dev.peft4j.examples.data.TextDataSpec;
import dev.peft4j.examples.data.TextFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The labelled sentences of a comparison, split as {@code peft train} splits them
 * ({@link StratifiedSplit}, {@code test_fraction} of each class held out, shuffled with
 * {@code split_seed}) and cut to the sample limits (the first N of each side).
 *
 * <p>The recipe's {@code data} is {@code "rotten-tomatoes"} (the 4,000 sentences of
 * {@link RottenTomatoes}, classes {@code [negative, positive]}) or an object naming a CSV or JSON
 * Lines file: {@code file} (required), {@code text_column} ({@code "text"}) and
 * {@code label_column} ({@code "label"}), each a name or a 0-based CSV index, {@code header}
 * (true) and {@code format} ({@code csv} or {@code jsonl}; by default from the extension). Label
 * values become classes in sorted order ({@link TextClassificationData}).
 *
 * @param train the training examples
 * @param heldOut the held-out examples, in a fixed order (the predictions' {@code index})
 * @param labelNames the class names by index
 */
public record CompareData(List<TrainingExample> train, List<TrainingExample> heldOut, List<String> labelNames) {

    private static final Set<String> FILE_KEYS = new TreeSet<>(List.of("file", "text_column", "label_column", "header", "format"));

    /** Copies the lists. */
    public CompareData {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
        labelNames = List.copyOf(labelNames);
    }

    /**
     * @param recipe the comparison's recipe
     * @return the split, cut to the sample limits
     * @throws IOException if the data cannot be read ({@link dev.peft4j.examples.data.TextDataException} names the file and line)
     * @throws IllegalArgumentException if the split leaves no training or no held-out sentence
     */
    public static CompareData load(CompareRecipe recipe) throws IOException {
        return load(recipe.data(), recipe.testFraction(), recipe.splitSeed(), recipe.maxTrainSamples(), recipe.maxEvalSamples());
    }

    /**
     * @param data {@code "rotten-tomatoes"} or a data-file object
     * @param testFraction held-out share of each class
     * @param splitSeed seed of the split
     * @param maxTrainSamples the first N training sentences, or null for all
     * @param maxEvalSamples the first N held-out sentences, or null for all
     * @return the split, cut to the limits
     * @throws IOException if the data cannot be read
     */
    public static CompareData load(JsonNode data, double testFraction, long splitSeed, Integer maxTrainSamples,
            Integer maxEvalSamples) throws IOException {
        List<LabeledText> rows;
        List<String> labels;
        if (data.isTextual()) {
            rows = RottenTomatoes.load();
            labels = RottenTomatoes.labelNames();
        } else {
            TextClassificationData read = TextClassificationData.read(spec((ObjectNode) data));
            rows = read.rows();
            labels = read.labelNames();
        }
        DatasetSplit split = StratifiedSplit.split(rows, testFraction, splitSeed);
        List<TrainingExample> train = cut(split.train(), maxTrainSamples);
        List<TrainingExample> heldOut = cut(split.test(), maxEvalSamples);
        if (train.isEmpty() || heldOut.isEmpty()) {
            throw new IllegalArgumentException("the split of " + rows.size() + " sentences at test_fraction " + testFraction
                    + " leaves " + train.size() + " training and " + heldOut.size() + " held-out sentences; both need at least one");
        }
        return new CompareData(train, heldOut, labels);
    }

    /**
     * @param data a data-file object
     * @throws IllegalArgumentException {@code data: unknown key 'x'; known: [...]} or {@code data.file is required}
     */
    static void requireKnownKeys(ObjectNode data) {
        for (Map.Entry<String, JsonNode> field : data.properties()) {
            if (!FILE_KEYS.contains(field.getKey())) {
                throw new IllegalArgumentException("data: unknown key '" + field.getKey() + "'; known: " + FILE_KEYS);
            }
        }
        if (data.get("file") == null || !data.get("file").isTextual()) {
            throw new IllegalArgumentException("data.file is required (the path of a .csv or .jsonl file), got " + data.get("file"));
        }
    }

    private static TextDataSpec spec(ObjectNode data) {
        requireKnownKeys(data);
        TextDataSpec.Builder builder = TextDataSpec.builder(Path.of(data.get("file").asText()));
        JsonNode text = data.get("text_column");
        if (text != null) {
            if (text.isInt()) {
                builder.optTextColumn(text.asInt());
            } else {
                builder.optTextColumn(text.asText());
            }
        }
        JsonNode label = data.get("label_column");
        if (label != null) {
            if (label.isInt()) {
                builder.optLabelColumn(label.asInt());
            } else {
                builder.optLabelColumn(label.asText());
            }
        }
        if (data.has("header")) {
            builder.optHeader(data.get("header").asBoolean());
        }
        if (data.has("format")) {
            String format = data.get("format").asText().toUpperCase(Locale.ROOT);
            try {
                builder.optFormat(TextFormat.valueOf(format));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data.format must be csv or jsonl, got " + data.get("format"), e);
            }
        }
        return builder.build();
    }

    private static List<TrainingExample> cut(List<LabeledText> rows, Integer limit) {
        List<LabeledText> kept = limit == null || limit >= rows.size() ? rows : rows.subList(0, limit);
        return kept.stream().map(row -> new TrainingExample(row.text(), row.label())).toList();
    }
}
