package dev.peft4j.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the peft4j repository (a checkout), where the git-ignored {@code data/} folder and
 * {@code peft-examples/scripts/} live.
 */
public final class RepoRoot {

    /** System property a launcher or build can set to the repository's root folder. */
    public static final String PROPERTY = "peft.repo";

    private RepoRoot() {
    }

    /**
     * The repository root: the system property {@value #PROPERTY} when set, otherwise the nearest
     * folder at or above the working directory ({@code user.dir}) that {@linkplain #isRoot(Path) is one}.
     *
     * @return the root, absolute; empty when neither gives one
     */
    public static Optional<Path> find() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(Path.of(property).toAbsolutePath().normalize());
        }
        return findFrom(Path.of(System.getProperty("user.dir")));
    }

    /**
     * @param start a folder inside the repository (or the root itself)
     * @return the nearest folder at or above {@code start} that is a repository root, absolute
     */
    public static Optional<Path> findFrom(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /**
     * @param dir a folder
     * @return whether it holds the Maven wrapper {@code mvnw} and the {@code peft-examples} module
     */
    public static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("peft-examples"));
    }
}
