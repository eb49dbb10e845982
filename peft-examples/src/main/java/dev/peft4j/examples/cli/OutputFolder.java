package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.train.checkpoint.CheckpointLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a {@code peft train --output} folder before anything is loaded, so a run never trains for
 * minutes and then fails to write, and never mixes its files with an earlier run's.
 */
final class OutputFolder {

    private OutputFolder() {}

    /**
     * Accepts a folder that does not exist yet (its nearest existing ancestor must be a writable
     * folder), an empty folder, or a folder of unrelated files.
     *
     * @param folder the output folder of a new run
     * @throws IllegalArgumentException {@code cannot write to F: it is a file, not a folder}, {@code cannot write to F:
     *     permission denied}, {@code F holds a peft compare run (results.json with methods / report.html); use another --output},
     *     or {@code F holds a peft train run (results.json / checkpoints); use --resume F or another --output}
     */
    static void requireNewRun(Path folder) {
        requireWritable(folder);
        if (Files.isDirectory(folder) && holdsComparison(folder)) {
            throw new IllegalArgumentException(folder + " holds a peft compare run (results.json with methods / report.html); "
                    + "use another --output");
        }
        if (Files.isDirectory(folder) && (Files.exists(folder.resolve("results.json"))
                || Files.exists(CheckpointLayout.checkpointsOf(folder)) || Files.exists(folder.resolve("adapter_config.json")))) {
            throw new IllegalArgumentException(folder + " holds a peft train run (results.json / checkpoints); use --resume "
                    + folder + " or another --output");
        }
    }

    /**
     * Accepts a new, empty or unrelated folder for {@code peft compare}, as {@link #requireNewRun}.
     *
     * @param folder the output folder of a new comparison
     * @throws IllegalArgumentException as {@link #requireWritable}, or {@code F holds an earlier run (results.json); use
     *     another --output} when it holds {@code results.json} or a method folder with a {@code child-spec.json}
     */
    static void requireNewComparison(Path folder) {
        requireWritable(folder);
        if (!Files.isDirectory(folder)) {
            return;
        }
        boolean earlier = Files.exists(folder.resolve("results.json"));
        try (var children = Files.list(folder)) {
            earlier |= children.anyMatch(child -> Files.exists(child.resolve("child-spec.json")));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + folder + ": " + IoErrors.reason(e), e);
        }
        if (earlier) {
            throw new IllegalArgumentException(folder + " holds an earlier run (results.json or a method's child-spec.json); "
                    + "use another --output");
        }
    }

    /**
     * @param folder a folder to write into, existing or not
     * @throws IllegalArgumentException {@code cannot write to F: <reason>}
     */
    static void requireWritable(Path folder) {
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException("cannot write to " + folder + ": "
                    + (existing.equals(folder.toAbsolutePath()) ? "it is a file, not a folder" : existing + " is a file, not a folder"));
        }
        if (!Files.isWritable(existing)) {
            throw new IllegalArgumentException("cannot write to " + folder + ": permission denied"
                    + (existing.equals(folder.toAbsolutePath()) ? "" : " (on " + existing + ")"));
        }
    }

    /** @return whether the folder holds {@code report.html} or a {@code results.json} with a {@code methods} array */
    private static boolean holdsComparison(Path folder) {
        if (Files.exists(folder.resolve("report.html"))) {
            return true;
        }
        Path results = folder.resolve("results.json");
        if (!Files.isRegularFile(results)) {
            return false;
        }
        try {
            return new ObjectMapper().readTree(results.toFile()).path("methods").isArray();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
