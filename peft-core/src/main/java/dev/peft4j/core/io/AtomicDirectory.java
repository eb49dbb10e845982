package dev.peft4j.core.io;

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
 * Replaces a whole folder (a checkpoint: several files that belong together) so that a crash at
 * any point leaves either the old folder or the new one, complete.
 *
 * <p>A folder cannot be renamed over a non-empty one, so {@link #write} works in four steps beside
 * the target {@code <parent>/<name>}:
 * <ol>
 *   <li>every file is written into the staging folder {@code <parent>/.<name>.staging}, each file
 *       and the folder fsynced; then the empty completion marker {@code <parent>/.<name>.complete}
 *       is created and the parent fsynced;
 *   <li>an existing target is renamed aside to {@code <parent>/.<name>.old};
 *   <li>the staging folder is renamed to the target, the parent folder fsynced and the marker deleted;
 *   <li>the old folder is deleted.
 * </ol>
 * {@link #recover} (which {@link #write} and readers run first) finishes or undoes an interrupted
 * write: a leftover staging folder next to the target is deleted; a staging folder without a target
 * but with an aside folder is renamed in only when the completion marker says step 1 finished,
 * otherwise it is deleted and the aside folder renamed back; an aside folder without a staging
 * folder or target is renamed back; an aside folder next to a target is deleted; a leftover marker
 * is deleted. Folders and files are created with the process's default permissions (the umask's).
 *
 * <p>One writer per target at a time; recovery assumes no write is in progress. Used for named
 * adapter folders ({@code save_pretrained}) and, without step 2, for new versioned folders
 * ({@code step-N/}).
 */
public final class AtomicDirectory {

    /** Writes the files of a folder. */
    @FunctionalInterface
    public interface FolderWriter {
        /**
         * @param folder an empty folder to fill; files are fsynced afterwards by {@link AtomicDirectory}
         * @throws IOException if writing fails
         */
        void write(Path folder) throws IOException;
    }

    private static final String STAGING_SUFFIX = ".staging";
    private static final String ASIDE_SUFFIX = ".old";
    private static final String COMPLETE_SUFFIX = ".complete";

    private AtomicDirectory() {}

    /**
     * Writes {@code target} as a whole, replacing an existing folder (and everything in it).
     *
     * @param target the folder to create or replace; its parent is created if absent
     * @param writer fills the staging folder
     * @throws IOException if writing, syncing or a rename fails; the old folder then stays in place
     *     (or is restored by the next {@link #recover})
     */
    public static void write(Path target, FolderWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        recover(absolute);
        Path staging = staging(absolute);
        Files.createDirectory(staging);
        try {
            writer.write(staging);
            syncTree(staging);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(staging);
            throw e;
        }
        Path marker = completionMarker(absolute);
        Files.createFile(marker);
        forceDirectory(parent);
        Path aside = aside(absolute);
        boolean replacing = Files.exists(absolute);
        if (replacing) {
            Files.move(absolute, aside, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(parent);
        }
        Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(parent);
        Files.delete(marker);
        if (replacing) {
            deleteTree(aside);
            forceDirectory(parent);
        }
    }

    /**
     * Brings a folder back to a whole state after an interrupted {@link #write} (see the class
     * comment). Does nothing when no staging or aside folder is left.
     *
     * @param target the folder
     * @throws IOException if a rename or delete fails
     */
    public static void recover(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path staging = staging(absolute);
        Path aside = aside(absolute);
        Path marker = completionMarker(absolute);
        boolean hasTarget = Files.exists(absolute);
        boolean hasStaging = Files.exists(staging);
        boolean hasAside = Files.exists(aside);
        boolean stagingComplete = hasStaging && Files.exists(marker);
        if (!hasStaging && !hasAside) {
            Files.deleteIfExists(marker);
            return;
        }
        if (!hasTarget && hasAside) {
            Files.move(stagingComplete ? staging : aside, absolute, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(absolute.getParent());
        }
        if (Files.exists(staging)) {
            deleteTree(staging);
        }
        if (Files.exists(aside)) {
            deleteTree(aside);
        }
        Files.deleteIfExists(marker);
        forceDirectory(absolute.getParent());
    }

    /**
     * Runs {@link #recover} for every folder of {@code parent} that has a staging or aside folder
     * beside it (e.g. {@code checkpoints/.step-40.staging} left by a crash while {@code step-40/}
     * was written), so that no interrupted write outlives the next one.
     *
     * @param parent the folder holding the targets; a missing folder is not an error
     * @throws IOException if listing, a rename or a delete fails
     */
    public static void recoverChildren(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return;
        }
        List<Path> targets;
        try (Stream<Path> entries = Files.list(parent)) {
            targets = entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> name.startsWith("."))
                    .map(name -> name.endsWith(STAGING_SUFFIX) ? name.substring(1, name.length() - STAGING_SUFFIX.length())
                            : name.endsWith(ASIDE_SUFFIX) ? name.substring(1, name.length() - ASIDE_SUFFIX.length())
                            : name.endsWith(COMPLETE_SUFFIX) ? name.substring(1, name.length() - COMPLETE_SUFFIX.length()) : "")
                    .filter(name -> !name.isEmpty())
                    .distinct()
                    .map(parent::resolve)
                    .toList();
        }
        for (Path target : targets) {
            recover(target);
        }
    }

    /**
     * @param target a folder
     * @return its staging folder, {@code <parent>/.<name>.staging}
     */
    public static Path staging(Path target) {
        return sibling(target, STAGING_SUFFIX);
    }

    /**
     * @param target a folder
     * @return where an old version waits during a replacement, {@code <parent>/.<name>.old}
     */
    public static Path aside(Path target) {
        return sibling(target, ASIDE_SUFFIX);
    }

    /**
     * @param target a folder
     * @return the empty file that says its staging folder is complete, {@code <parent>/.<name>.complete}
     */
    public static Path completionMarker(Path target) {
        return sibling(target, COMPLETE_SUFFIX);
    }

    private static Path sibling(Path target, String suffix) {
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getFileName() == null) {
            throw new IllegalArgumentException("a checkpoint folder needs a name, got '" + target + "'");
        }
        return absolute.resolveSibling("." + absolute.getFileName() + suffix);
    }

    /** Fsyncs every regular file under {@code folder}, then every folder, deepest first. */
    private static void syncTree(Path folder) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            if (Files.isRegularFile(path)) {
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            } else if (Files.isDirectory(path)) {
                forceDirectory(path);
            }
        }
    }

    /**
     * Deletes a folder and everything in it; a missing folder is not an error.
     *
     * @param folder the folder
     * @throws IOException if a delete fails
     */
    public static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    /** Makes renames in {@code dir} durable; platforms that cannot open a folder skip it. */
    static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Directory sync is best effort (not possible on Windows, for instance).
        }
    }
}
