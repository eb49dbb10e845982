package dev.peft4j.examples.compare;

import dev.peft4j.examples.data.LabeledText;
import dev.peft4j.examples.data.PatternCorpus;
import dev.peft4j.examples.data.TextClassificationData;
import dev.peft4j.examples.data.TextDataSpec;
import dev.peft4j.examples.data.TextFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The forgetting probe's general English text: the 3,000 Wikipedia sentences of the CoNLL-2010
 * uncertainty corpus ({@link PatternCorpus#UNCERTAINTY_EN}, {@code uncertainty-conll2010.csv} in
 * Debian's {@code python3-pattern}), text only. The file is CSV in UTF-8 with a byte order mark and
 * no header: column 0 a certainty label ({@code 1} / {@code -1}, ignored here), column 1 the
 * sentence (surrounding whitespace stripped).
 *
 * <p>A limit (for {@code --quick}) keeps a fixed-seed sample rather than the first sentences, so a
 * short run still spreads over the whole file: {@code limit} distinct indices drawn by a partial
 * Fisher-Yates shuffle of {@link SplittableRandom} seeded with {@link #SAMPLE_SEED}, then put back
 * in file order. The same limit always gives the same sentences, in every JVM.
 */
public final class ProbeSentences {

    /** The corpus name recorded in {@code results.json}'s {@code forgetting.corpus}. */
    public static final String CORPUS = PatternCorpus.UNCERTAINTY_EN.fileName();

    /** The number of sentences in the file. */
    public static final int SIZE = 3_000;

    /** The seed of the sample drawn under a limit. */
    public static final long SAMPLE_SEED = 0;

    private static final Map<String, Integer> LABELS = Map.of("-1", 0, "1", 1);

    private ProbeSentences() {}

    /**
     * Loads the sentences, fetching the file first when it is missing (as
     * {@link dev.peft4j.examples.data.RottenTomatoes#load()} does).
     *
     * @param limit at most this many sentences (a fixed-seed sample, in file order), or {@code null} for all
     * @return the sentences
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if the file is missing and cannot be fetched (the message says what to run)
     * @throws IOException if the file cannot be read or parsed
     */
    public static List<String> load(Integer limit) throws IOException {
        return read(PatternCorpus.UNCERTAINTY_EN.ensureFetched(), limit);
    }

    /**
     * Reads a copy of {@code uncertainty-conll2010.csv} (or a file in its layout).
     *
     * @param file the CSV file
     * @param limit at most this many sentences (a fixed-seed sample, in file order), or {@code null} for all
     * @return the sentences
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IOException if the file cannot be read or parsed ({@link dev.peft4j.examples.data.TextDataException})
     */
    public static List<String> read(Path file, Integer limit) throws IOException {
        requireLimit(limit);
        TextDataSpec spec = TextDataSpec.builder(file).optFormat(TextFormat.CSV).optHeader(false).optTextColumn(1)
                .optLabelColumn(0).optLabelMapping(LABELS).build();
        List<String> texts = TextClassificationData.read(spec).rows().stream().map(LabeledText::text).toList();
        return limit == null ? texts : sample(texts, limit);
    }

    /**
     * A fixed-seed sample kept in the input's order.
     *
     * @param sentences the full list
     * @param limit how many to keep; the whole list when it is not longer
     * @return the sample
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public static List<String> sample(List<String> sentences, int limit) {
        requireLimit(limit);
        if (limit >= sentences.size()) {
            return List.copyOf(sentences);
        }
        int[] indices = new int[sentences.size()];
        Arrays.setAll(indices, i -> i);
        SplittableRandom random = new SplittableRandom(SAMPLE_SEED);
        for (int i = 0; i < limit; i++) {
            int j = i + random.nextInt(indices.length - i);
            int swap = indices[i];
            indices[i] = indices[j];
            indices[j] = swap;
        }
        int[] kept = Arrays.copyOf(indices, limit);
        Arrays.sort(kept);
        List<String> out = new ArrayList<>(limit);
        for (int index : kept) {
            out.add(sentences.get(index));
        }
        return List.copyOf(out);
    }

    private static void requireLimit(Integer limit) {
        if (limit != null && limit <= 0) {
            throw new IllegalArgumentException("the forgetting probe's sentence limit must be > 0, got " + limit);
        }
    }
}
