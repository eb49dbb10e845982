package dev.peft4j.core.train.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a whole folder so that it appears under its final name complete or not at all: the
 * files go into a staging folder beside the target ({@code .<name>.staging-<random>}), every file
 * and the staging folder are forced to disk ({@code fsync}), then the staging folder is renamed to
 * the target and the parent forced. A directory cannot be renamed over a non-empty one, so an
 * existing target is first renamed aside to {@code .<name>.aside} and deleted after the new one is
 * in place; {@link #recoverAside} puts it back if a crash came in between.
 */
final class StagedFolder {

    /** Fills the staging folder. */
    @FunctionalInterface
    interface Filler {
        /**
         * @param staging an empty folder beside the target
         * @throws IOException if writing fails
         */
        void fill(Path staging) throws IOException;
    }

    private static final String STAGING_MARK = ".staging-";
    private static final String ASIDE_SUFFIX = ".aside";

    private StagedFolder() {}

    /**
     * @param target the folder to create or replace; its parent must exist
     * @param filler writes the files
     * @throws IOException if writing, syncing or renaming fails; the staging folder is removed
     *     and an existing target is left in place
     */
    static void write(Path target, Filler filler) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        Path staging = Files.createTempDirectory(parent, "." + name + STAGING_MARK);
        boolean done = false;
        try {
            filler.fill(staging);
            try (Stream<Path> files = Files.list(staging)) {
                for (Path file : files.toList()) {
                    force(file);
                }
            }
            force(staging);
            Path aside = parent.resolve("." + name + ASIDE_SUFFIX);
            boolean replacing = Files.exists(target);
            if (replacing) {
                deleteTree(aside);
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            force(parent);
            if (replacing) {
                deleteTree(aside);
            }
        } finally {
            if (!done) {
                deleteTree(staging);
            }
        }
    }

    /**
     * Puts back a target that a crash left renamed aside (see the class comment).
     *
     * @param target the folder that should exist
     * @return whether it was recovered
     * @throws IOException if the rename fails
     */
    static boolean recoverAside(Path target) throws IOException {
        Path aside = target.toAbsolutePath().getParent().resolve("." + target.getFileName() + ASIDE_SUFFIX);
        if (Files.exists(target) || !Files.isDirectory(aside)) {
            return false;
        }
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
        force(target.toAbsolutePath().getParent());
        return true;
    }

    /**
     * Deletes staging folders a crash left behind in {@code parent}.
     *
     * @param parent the folder holding the targets
     * @throws IOException if listing or deleting fails
     */
    static void deleteLeftoverStaging(Path parent) throws IOException {
        List<Path> leftovers;
        try (Stream<Path> entries = Files.list(parent)) {
            leftovers = entries.filter(p -> p.getFileName().toString().startsWith(".")
                    && p.getFileName().toString().contains(STAGING_MARK)).toList();
        }
        for (Path leftover : leftovers) {
            deleteTree(leftover);
        }
    }

    /** Deletes a file or folder tree; absent is fine. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** {@code fsync} of a file or a directory; some platforms cannot open directories (best effort there). */
    private static void force(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (UnsupportedOperationException e) {
            // directories cannot be opened on every platform (Windows)
        } catch (IOException e) {
            if (!Files.isDirectory(path)) {
                throw e;
            }
        }
    }
}
