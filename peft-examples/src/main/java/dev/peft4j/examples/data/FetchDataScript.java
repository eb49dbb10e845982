package dev.peft4j.examples.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code peft-examples/scripts/fetch-data.sh} with {@code bash}, its messages going to this
 * process's stderr, and reports why it did not succeed.
 */
final class FetchDataScript {

    /** How long a download (including an {@code apt-get update}) may take. */
    static final long TIMEOUT_MINUTES = 15;

    private FetchDataScript() {
    }

    /**
     * Runs the script of {@code locations}, with {@code PEFT_DATA_DIR} set to its data folder if it has
     * one and unset otherwise, so the script fills the folder {@link DataLocations#fetchTarget()} names.
     *
     * @param locations where the script and the data folder are
     * @return empty if the script exited 0; otherwise why it failed or could not run, as a phrase
     */
    static Optional<String> run(DataLocations locations) {
        return run(locations, List.of());
    }

    /**
     * As {@link #run(DataLocations)}, fetching the named corpora ({@code pattern}, {@code moby-dick},
     * {@code fortunes}; the script's default, {@code pattern}, when empty).
     *
     * @param locations where the script and the data folder are
     * @param corpora the script's arguments
     * @return empty if the script exited 0; otherwise why it failed or could not run, as a phrase
     */
    static Optional<String> run(DataLocations locations, List<String> corpora) {
        Optional<Path> script = locations.fetchScript();
        if (script.isEmpty()) {
            return Optional.of("no peft4j checkout was found to run " + DataLocations.FETCH_SCRIPT
                    + " from (working directory " + System.getProperty("user.dir") + "; pass -D" + RepoRoot.PROPERTY
                    + "=<checkout>)");
        }
        if (!Files.isRegularFile(script.get())) {
            return Optional.of(script.get() + " does not exist");
        }
        List<String> command = new ArrayList<>(List.of("bash", script.get().toString()));
        command.addAll(corpora);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD) // the script writes only to stderr
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        if (locations.dataDir() != null) {
            builder.environment().put(DataLocations.ENV, locations.dataDir().toString());
        } else {
            builder.environment().remove(DataLocations.ENV); // the script then fills <repo>/data, where we look
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return Optional.of("bash could not start " + script.get() + ": " + e.getMessage());
        }
        try {
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return Optional.of(script.get() + " did not finish within " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while " + script.get() + " ran");
        }
        int status = process.exitValue();
        return status == 0 ? Optional.empty()
                : Optional.of(script.get() + " exited with status " + status + " (its message is above)");
    }
}
