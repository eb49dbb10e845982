package dev.peft4j.examples.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A corpus kept as a set of files in one sub-folder of a {@linkplain DataLocations data folder}
 * and fetched by {@code peft-examples/scripts/fetch-data.sh <corpus>} when missing.
 *
 * @param corpus the sub-folder and the script's argument, e.g. {@code moby-dick}
 * @param fileNames the files that must all be there (non-empty)
 * @param howToGet what the script needs and where the files come from, as a sentence ending in a period
 */
record CorpusFolder(String corpus, List<String> fileNames, String howToGet) {

    CorpusFolder {
        fileNames = List.copyOf(fileNames);
    }

    /**
     * @param locations the data folders to look in
     * @return the first of {@link DataLocations#folders(String)} that holds every file
     */
    Optional<Path> locate(DataLocations locations) {
        return locations.folders(corpus).stream().filter(this::complete).findFirst();
    }

    /**
     * Returns the folder, running the fetch script first when a file is missing.
     *
     * @param locations the data folders and repository
     * @return the folder holding every file
     * @throws IllegalStateException if a file is still missing afterwards; the message names the
     *     folders searched, why the script failed, and how to get the files
     */
    Path ensureFetched(DataLocations locations) {
        Optional<Path> found = locate(locations);
        if (found.isPresent()) {
            return found.get();
        }
        Optional<String> failure = FetchDataScript.run(locations, List.of(corpus));
        found = locate(locations);
        if (found.isPresent()) {
            return found.get();
        }
        String reason = failure.orElse(locations.fetchScript().map(Path::toString).orElse(DataLocations.FETCH_SCRIPT)
                + " finished but did not place them");
        String target = locations.fetchTarget().map(Path::toString).orElse("$" + DataLocations.ENV);
        throw new IllegalStateException("the " + corpus + " corpus (" + fileNames.size() + " files) is not complete in any of "
                + locations.folders(corpus) + ": " + reason + ". To get it, run " + DataLocations.FETCH_SCRIPT + " " + corpus
                + " (" + howToGet + ") or place the files in " + target + "/" + corpus + "/.");
    }

    private boolean complete(Path folder) {
        for (String name : fileNames) {
            Path file = folder.resolve(name);
            try {
                if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
