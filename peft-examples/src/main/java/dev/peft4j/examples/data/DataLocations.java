package dev.peft4j.examples.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where downloaded data sets live: {@code $PEFT_DATA_DIR} when set, and the git-ignored
 * {@code <repo>/data} folder of the checkout. Each corpus has its own sub-folder, e.g.
 * {@code data/pattern/}.
 *
 * @param dataDir the folder {@value #ENV} names, or null when it is unset or blank
 * @param repoRoot the repository root ({@link RepoRoot#find()}), or null when none was found
 */
public record DataLocations(Path dataDir, Path repoRoot) {

    /** Environment variable naming a data folder outside the checkout; the fetch script honours it too. */
    public static final String ENV = "PEFT_DATA_DIR";

    /** The fetch script, relative to the repository root. */
    public static final String FETCH_SCRIPT = "peft-examples/scripts/fetch-data.sh";

    /** Makes both paths absolute. */
    public DataLocations {
        dataDir = dataDir == null ? null : dataDir.toAbsolutePath().normalize();
        repoRoot = repoRoot == null ? null : repoRoot.toAbsolutePath().normalize();
    }

    /** @return the locations of this process: {@value #ENV} and {@link RepoRoot#find()} */
    public static DataLocations fromEnvironment() {
        String env = System.getenv(ENV);
        Path dataDir = env == null || env.isBlank() ? null : Path.of(env);
        return new DataLocations(dataDir, RepoRoot.find().orElse(null));
    }

    /**
     * @param corpus the corpus sub-folder, e.g. {@code pattern}
     * @return the folders to look in, in order: {@code $PEFT_DATA_DIR/<corpus>}, {@code <repo>/data/<corpus>}
     */
    public List<Path> folders(String corpus) {
        List<Path> folders = new ArrayList<>(2);
        if (dataDir != null) {
            folders.add(dataDir.resolve(corpus));
        }
        if (repoRoot != null) {
            folders.add(repoRoot.resolve("data").resolve(corpus));
        }
        return folders;
    }

    /** @return where fetched data goes: {@code $PEFT_DATA_DIR}, else {@code <repo>/data}; empty if neither is known */
    public Optional<Path> fetchTarget() {
        if (dataDir != null) {
            return Optional.of(dataDir);
        }
        return Optional.ofNullable(repoRoot).map(root -> root.resolve("data"));
    }

    /** @return {@code <repo>/}{@value #FETCH_SCRIPT}; empty when no repository root is known */
    public Optional<Path> fetchScript() {
        return Optional.ofNullable(repoRoot).map(root -> root.resolve(FETCH_SCRIPT));
    }
}
