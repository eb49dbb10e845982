package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locating and fetching with a fake checkout whose fetch script the test writes; no network. */
class PatternCorpusTest {

    private static final String FILE = "polarity-en-pang&lee2.csv";

    @TempDir
    Path dir;

    /** A folder that {@link RepoRoot#isRoot} accepts, with {@code script} as its fetch script. */
    private Path fakeCheckout(String script) throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.writeString(repo.resolve("mvnw"), "#!/bin/sh\n");
        Path scripts = Files.createDirectories(repo.resolve("peft-examples/scripts"));
        Files.writeString(scripts.resolve("fetch-data.sh"), script);
        return repo;
    }

    private static String advice(Path target) {
        return "To get it, run peft-examples/scripts/fetch-data.sh (it needs apt-get, dpkg-deb and access to Debian's archive;"
                + " if apt's package lists are empty, run: sudo apt-get update), or extract"
                + " usr/share/doc/python3-pattern/test/corpora/" + FILE + " from Debian's python3-pattern package to "
                + target + "/pattern/" + FILE + ".";
    }

    @Test
    void dataDirComesBeforeTheCheckoutsDataFolder() throws IOException {
        Path repo = fakeCheckout("exit 9\n");
        Path data = dir.resolve("elsewhere");
        DataLocations locations = new DataLocations(data, repo);
        assertThat(locations.folders("pattern")).containsExactly(data.resolve("pattern"), repo.resolve("data/pattern"));
        assertThat(PatternCorpus.POLARITY_EN.locate(locations)).isEmpty();

        Path inRepo = Files.createDirectories(repo.resolve("data/pattern")).resolve(FILE);
        Files.writeString(inRepo, "x");
        assertThat(PatternCorpus.POLARITY_EN.ensureFetched(locations)).isEqualTo(inRepo);

        Path inData = Files.createDirectories(data.resolve("pattern")).resolve(FILE);
        Files.writeString(inData, "x");
        assertThat(PatternCorpus.POLARITY_EN.locate(locations)).contains(inData);
    }

    @Test
    void emptyFileCountsAsMissing() throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("pattern"));
        Files.writeString(data.resolve("pattern").resolve(FILE), "");
        assertThat(PatternCorpus.POLARITY_EN.locate(new DataLocations(data, null))).isEmpty();
    }

    @Test
    void missingFileRunsTheScriptWhichPlacesIt() throws IOException {
        Path repo = fakeCheckout("""
                set -eu
                target="${PEFT_DATA_DIR:-$(dirname "$0")/../../data}/pattern"
                mkdir -p "$target"
                printf '"1","fetched"\\n' > "$target/polarity-en-pang&lee2.csv"
                """);
        Path data = dir.resolve("data");
        Path fetched = PatternCorpus.POLARITY_EN.ensureFetched(new DataLocations(data, repo));
        assertThat(fetched).isEqualTo(data.resolve("pattern").resolve(FILE));
        assertThat(Files.readString(fetched)).isEqualTo("\"1\",\"fetched\"\n");

        Path intoRepo = PatternCorpus.POLARITY_EN.ensureFetched(new DataLocations(null, repo));
        assertThat(intoRepo).isEqualTo(repo.resolve("data/pattern").resolve(FILE));
    }

    @Test
    void failingScriptGivesOneClearMessage() throws IOException {
        Path repo = fakeCheckout("echo 'fetch-data.sh: apt-get not found' >&2\nexit 3\n");
        DataLocations locations = new DataLocations(null, repo);
        assertThatThrownBy(() -> PatternCorpus.POLARITY_EN.ensureFetched(locations))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(FILE + " not found in " + List.of(repo.resolve("data/pattern")) + ": "
                        + repo.resolve("peft-examples/scripts/fetch-data.sh") + " exited with status 3 (its message is above). "
                        + advice(repo.resolve("data")));
    }

    @Test
    void scriptThatSucceedsWithoutTheFile() throws IOException {
        Path repo = fakeCheckout("exit 0\n");
        Path data = dir.resolve("data");
        assertThatThrownBy(() -> PatternCorpus.UNCERTAINTY_EN.ensureFetched(new DataLocations(data, repo)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("uncertainty-conll2010.csv not found in " + List.of(data.resolve("pattern"), repo.resolve("data/pattern"))
                        + ": " + repo.resolve("peft-examples/scripts/fetch-data.sh") + " finished but did not place it. To get it, run ");
    }

    @Test
    void noCheckoutToRunTheScriptFrom() {
        Path data = dir.resolve("data");
        assertThatThrownBy(() -> PatternCorpus.POLARITY_EN.ensureFetched(new DataLocations(data, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(FILE + " not found in " + List.of(data.resolve("pattern")) + ": no peft4j checkout was found to run"
                        + " peft-examples/scripts/fetch-data.sh from (working directory " + System.getProperty("user.dir")
                        + "; pass -Dpeft.repo=<checkout>). " + advice(data));
    }

    @Test
    void repoRootIsFoundFromASubfolder() throws IOException {
        Path repo = fakeCheckout("exit 0\n");
        Path deep = Files.createDirectories(repo.resolve("peft-examples/src/main"));
        assertThat(RepoRoot.findFrom(deep)).contains(repo);
        assertThat(RepoRoot.findFrom(dir)).isEmpty();
        assertThat(RepoRoot.find()).as("surefire passes -Dpeft.repo").hasValueSatisfying(root -> assertThat(RepoRoot.isRoot(root)).isTrue());
    }
}
