package dev.peft4j.examples.lm;

import dev.peft4j.examples.data.Fortunes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Generated stand-ins for Moby Dick and the fortunes (CI has no real data): the same file layout, tiny texts. */
final class TinyCorpora {

    private static final String[] SEA = {"the", "whale", "sea", "ship", "Ahab", "white", "deep", "boat", "harpoon", "wind"};
    private static final String[] WISDOM = {"life", "is", "a", "short", "joke", "never", "trust", "wise", "fool", "time"};

    private TinyCorpora() {}

    /**
     * Writes {@code moby-dick/chapter_1.txt} .. {@code chapter_135.txt} and the four fortune files.
     *
     * @param dataDir the data folder to fill
     * @return {@code dataDir}
     */
    static Path write(Path dataDir) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        Path moby = Files.createDirectories(dataDir.resolve("moby-dick"));
        for (int n = 1; n <= 135; n++) {
            Files.writeString(moby.resolve("chapter_" + n + ".txt"), "CHAPTER " + n + ".\n\n" + words(random, SEA, 12) + ".\n");
        }
        Path fortunes = Files.createDirectories(dataDir.resolve("fortunes"));
        for (String category : Fortunes.CATEGORIES) {
            StringBuilder file = new StringBuilder();
            for (int q = 0; q < 10; q++) {
                file.append(words(random, WISDOM, 6)).append(".\n\t\t-- ").append(category).append("\n%\n");
            }
            Files.writeString(fortunes.resolve(category), file);
        }
        return dataDir;
    }

    private static String words(SplittableRandom random, String[] vocabulary, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : " ").append(vocabulary[random.nextInt(vocabulary.length)]);
        }
        return text.toString();
    }
}
