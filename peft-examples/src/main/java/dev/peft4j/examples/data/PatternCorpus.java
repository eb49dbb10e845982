package dev.peft4j.examples.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The labelled corpora in Debian's {@code python3-pattern} package (from the Pattern library's
 * test data, for personal and research use: never commit them), kept in the {@code pattern}
 * sub-folder of a {@linkplain DataLocations data folder} and fetched by
 * {@code peft-examples/scripts/fetch-data.sh}.
 */
public enum PatternCorpus {
    /** 4,000 Rotten Tomatoes sentences (Pang and Lee), 2,000 positive ({@code 1}) and 2,000 negative ({@code -1}). */
    POLARITY_EN("polarity-en-pang&lee2.csv"),
    /** 3,000 Wikipedia sentences from the CoNLL-2010 shared task, 1,500 certain ({@code 1}) and 1,500 uncertain ({@code -1}). */
    UNCERTAINTY_EN("uncertainty-conll2010.csv"),
    /** 250 mails, mostly from Apache developer lists, 125 legitimate ({@code 1}) and 125 spam ({@code -1}). */
    SPAM_EN("spam-apache.csv");

    /** The sub-folder of a data folder holding these files. */
    public static final String FOLDER = "pattern";

    /** Where the files sit inside the Debian package. */
    public static final String PACKAGE_PATH = "usr/share/doc/python3-pattern/test/corpora/";

    private final String fileName;

    PatternCorpus(String fileName) {
        this.fileName = fileName;
    }

    /** @return the file's name, e.g. {@code polarity-en-pang&lee2.csv} */
    public String fileName() {
        return fileName;
    }

    /** @return the file in this process's data folders ({@link DataLocations#fromEnvironment()}), if present */
    public Optional<Path> locate() {
        return locate(DataLocations.fromEnvironment());
    }

    /**
     * @param locations the data folders to look in
     * @return the first non-empty regular file named {@link #fileName()} in {@link DataLocations#folders(String)}
     */
    public Optional<Path> locate(DataLocations locations) {
        return locations.folders(FOLDER).stream()
                .map(folder -> folder.resolve(fileName))
                .filter(PatternCorpus::isNonEmptyFile)
                .findFirst();
    }

    /** @return {@link #ensureFetched(DataLocations)} for this process's data folders */
    public Path ensureFetched() {
        return ensureFetched(DataLocations.fromEnvironment());
    }

    /**
     * Returns the file, running the fetch script first when it is missing.
     *
     * @param locations the data folders and repository
     * @return the file
     * @throws IllegalStateException if the file is still missing afterwards; the message says why,
     *     what to run or install, and where to place the file by hand
     */
    public Path ensureFetched(DataLocations locations) {
        Optional<Path> found = locate(locations);
        if (found.isPresent()) {
            return found.get();
        }
        Optional<String> failure = FetchDataScript.run(locations);
        found = locate(locations);
        if (found.isPresent()) {
            return found.get();
        }
        String reason = failure.orElse(locations.fetchScript().map(Path::toString).orElse(DataLocations.FETCH_SCRIPT)
                + " finished but did not place it");
        String target = locations.fetchTarget().map(Path::toString).orElse("$" + DataLocations.ENV);
        throw new IllegalStateException(fileName + " not found in " + locations.folders(FOLDER) + ": " + reason + ". "
                + "To get it, run " + DataLocations.FETCH_SCRIPT + " (it needs apt-get, dpkg-deb and access to Debian's archive;"
                + " if apt's package lists are empty, run: sudo apt-get update), or extract " + PACKAGE_PATH + fileName
                + " from Debian's python3-pattern package to " + target + "/" + FOLDER + "/" + fileName + ".");
    }

    private static boolean isNonEmptyFile(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
