package dev.peft4j.examples.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The 4,000 Rotten Tomatoes sentences of Pang and Lee's sentence polarity data (2,000 positive,
 * 2,000 negative) as shipped in Debian's {@code python3-pattern} ({@link PatternCorpus#POLARITY_EN}).
 *
 * <p>The file is CSV in UTF-8 with a byte order mark and no header: column 0 the label ({@code 1}
 * positive, {@code -1} negative), column 1 the lower-cased, tokenised sentence, which ends in
 * {@code " \n"} inside its quotes (stripped here). Labels become {@code 0} negative, {@code 1}
 * positive ({@link #labelNames()}). The file lists the positive sentences first; split it with
 * {@link StratifiedSplit} before training.
 */
public final class RottenTomatoes {

    /** The number of sentences in the file. */
    public static final int SIZE = 4_000;

    private static final List<String> LABEL_NAMES = List.of("negative", "positive");
    private static final Map<String, Integer> LABEL_MAPPING = Map.of("-1", 0, "1", 1);

    private RottenTomatoes() {
    }

    /** @return the class names by index: {@code [negative, positive]} */
    public static List<String> labelNames() {
        return LABEL_NAMES;
    }

    /**
     * Loads the sentences, fetching the file first when it is missing
     * ({@link PatternCorpus#ensureFetched()}: {@code $PEFT_DATA_DIR/pattern/} or
     * {@code <repo>/data/pattern/}, else {@code peft-examples/scripts/fetch-data.sh}).
     *
     * @return the 4,000 sentences in file order (positive first)
     * @throws IllegalStateException if the file is missing and cannot be fetched; the message says
     *     what to run or install and where to place the file
     * @throws IOException if the file cannot be read or parsed ({@link TextDataException})
     */
    public static List<LabeledText> load() throws IOException {
        return read(PatternCorpus.POLARITY_EN.ensureFetched());
    }

    /**
     * Reads a copy of {@code polarity-en-pang&lee2.csv} (or a file in its layout).
     *
     * @param file the CSV file
     * @return its sentences in file order
     * @throws IOException if the file cannot be read or parsed ({@link TextDataException})
     */
    public static List<LabeledText> read(Path file) throws IOException {
        return TextClassificationData.read(spec(file)).rows();
    }

    /**
     * @param file the CSV file
     * @return how {@link TextClassificationData} reads it: CSV, no header, text column 1, label
     *     column 0, labels {@code -1 -> 0}, {@code 1 -> 1}
     */
    public static TextDataSpec spec(Path file) {
        return TextDataSpec.builder(file)
                .optFormat(TextFormat.CSV)
                .optHeader(false)
                .optTextColumn(1)
                .optLabelColumn(0)
                .optLabelMapping(LABEL_MAPPING)
                .build();
    }
}
