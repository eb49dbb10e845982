package dev.peft4j.examples.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three labelled corpora of Debian's {@code python3-pattern} as classification tasks, by the
 * name {@code peft train --dataset} takes. Each file is CSV in UTF-8 with a byte order mark and no
 * header, column 0 the label ({@code 1} or {@code -1}), column 1 the text (stripped of surrounding
 * whitespace); {@code -1} becomes class 0 and {@code 1} class 1, named by {@link #labelNames()}.
 */
public enum PatternDataset {
    /** Rotten Tomatoes sentences: {@code -1} negative, {@code 1} positive (4,000; see {@link RottenTomatoes}). */
    POLARITY(PatternCorpus.POLARITY_EN, List.of("negative", "positive")),
    /** CoNLL-2010 Wikipedia sentences: {@code -1} uncertain (hedged), {@code 1} certain (3,000). */
    UNCERTAINTY(PatternCorpus.UNCERTAINTY_EN, List.of("uncertain", "certain")),
    /** Apache list mails: {@code -1} spam, {@code 1} legitimate (250). */
    SPAM(PatternCorpus.SPAM_EN, List.of("spam", "legitimate"));

    private static final Map<String, Integer> LABEL_MAPPING = Map.of("-1", 0, "1", 1);

    private final PatternCorpus corpus;
    private final List<String> labelNames;

    PatternDataset(PatternCorpus corpus, List<String> labelNames) {
        this.corpus = corpus;
        this.labelNames = labelNames;
    }

    /** @return the name {@code --dataset} takes: {@code polarity}, {@code uncertainty}, {@code spam} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the class names by index (class 0 is the file's {@code -1}) */
    public List<String> labelNames() {
        return labelNames;
    }

    /** @return the file */
    public PatternCorpus corpus() {
        return corpus;
    }

    /**
     * @param name a {@link #cliName()}, any case
     * @return the dataset
     * @throws IllegalArgumentException naming the value and the known names
     */
    public static PatternDataset byName(String name) {
        for (PatternDataset dataset : values()) {
            if (dataset.cliName().equalsIgnoreCase(name)) {
                return dataset;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; known: "
                + Arrays.stream(values()).map(PatternDataset::cliName).toList());
    }

    /**
     * Loads the texts, fetching the file first when it is missing ({@link PatternCorpus#ensureFetched()}).
     *
     * @return the texts in file order
     * @throws IOException if the file cannot be read or parsed
     */
    public List<LabeledText> load() throws IOException {
        return read(corpus.ensureFetched());
    }

    /**
     * @param file a copy of the corpus file
     * @return its texts in file order
     * @throws IOException if the file cannot be read or parsed
     */
    public List<LabeledText> read(Path file) throws IOException {
        return TextClassificationData.read(TextDataSpec.builder(file).optFormat(TextFormat.CSV).optHeader(false).optTextColumn(1)
                .optLabelColumn(0).optLabelMapping(LABEL_MAPPING).build()).rows();
    }
}
