package dev.peft4j.examples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Quotations from Debian's {@code fortunes} package ({@code usr/share/games/fortunes/}), the
 * second text domain of the decoder example: short modern English prose with attributions
 * ({@code -- Mark Twain}), unlike Moby Dick's 19th-century narrative. Four categories are used,
 * wisdom, science, humorists and platitudes (about 1,750 quotations, 270 KB; not the pictures of
 * art and ascii-art, the code and jargon of computers, linux and perl, nor the verse layout of
 * songs-poems), kept in {@code <data>/fortunes/} and fetched by
 * {@code fetch-data.sh fortunes}; the {@code .dat} index files and the offensive set (a separate
 * package) are never fetched.
 *
 * <p>The file format of {@code strfile(1)}: quotations separated by lines holding only {@code %}.
 */
public final class Fortunes {

    /** The data sub-folder and the fetch script's argument. */
    public static final String CORPUS = "fortunes";

    /** The categories read, in this order. */
    public static final List<String> CATEGORIES = List.of("wisdom", "science", "humorists", "platitudes");

    /** The split holds out every {@value}th quotation, counted over the categories in order. */
    public static final int HELD_OUT_EVERY = 10;

    private static final CorpusFolder FOLDER = new CorpusFolder(CORPUS, CATEGORIES,
            "it needs apt-get, dpkg-deb and access to Debian's archive; the files are usr/share/games/fortunes/"
                    + String.join(", ", CATEGORIES) + " of Debian's fortunes package");

    private Fortunes() {
    }

    /**
     * Splits one fortune file into its quotations: the text between lines holding only {@code %},
     * with overstriking removed, trailing blanks of each line and blank lines around
     * the quotation trimmed; empty quotations are skipped.
     *
     * @param category the file's name, for the ids
     * @param fileText the file's content
     * @return the quotations with ids {@code <category>#<i>}, {@code i} counting the kept ones from 0
     */
    public static List<TextDocument> parse(String category, String fileText) {
        String text = withoutOverstriking(fileText.replace("\r\n", "\n"));
        List<TextDocument> quotations = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : (text + "\n%").split("\n", -1)) {
            if (line.equals("%")) {
                String quotation = current.toString().strip();
                if (!quotation.isEmpty()) {
                    quotations.add(new TextDocument(category + "#" + quotations.size(), quotation));
                }
                current.setLength(0);
            } else {
                current.append(line.stripTrailing()).append('\n');
            }
        }
        return quotations;
    }

    /**
     * Removes old terminals' overstriking ({@code ____\b\b\b\bSOME} underlines {@code SOME}): each
     * backspace erases the character before it, within its line, so what the reader saw remains.
     */
    private static String withoutOverstriking(String text) {
        if (text.indexOf('\b') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\b') {
                out.append(c);
            } else if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
                out.setLength(out.length() - 1);
            }
        }
        return out.toString();
    }

    /**
     * The quotations of {@link #CATEGORIES}, fetching them first when missing.
     *
     * @param locations the data folders and repository
     * @return the quotations, category by category in file order
     * @throws IllegalStateException when the corpus cannot be fetched
     * @throws UncheckedIOException when a file cannot be read or is not UTF-8
     */
    public static List<TextDocument> quotations(DataLocations locations) {
        Path folder = FOLDER.ensureFetched(locations);
        List<TextDocument> all = new ArrayList<>();
        for (String category : CATEGORIES) {
            Path file = folder.resolve(category);
            try {
                all.addAll(parse(category, Files.readString(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return all;
    }

    /**
     * @param locations the data folders and repository
     * @return {@link DocumentSplit#everyKth the split} holding out every 10th quotation
     */
    public static DocumentSplit split(DataLocations locations) {
        return DocumentSplit.everyKth(quotations(locations), HELD_OUT_EVERY);
    }
}
