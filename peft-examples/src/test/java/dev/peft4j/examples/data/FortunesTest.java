package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortunesTest {

    @TempDir
    Path dir;

    @Test
    void quotationsAreSplitOnPercentLinesWithOverstrikingAndTrailingBlanksRemoved() {
        String file = "A clash of doctrine is not a disaster.  \n%\n\n%\n"
                + "\"Well, ____\b\b\b\bSOMEbody's out to get me!\"\n\t\t-- Anon\n%\n"
                + "Last one, no final percent\n";
        List<TextDocument> quotations = Fortunes.parse("wisdom", file);
        assertThat(quotations).containsExactly(
                new TextDocument("wisdom#0", "A clash of doctrine is not a disaster."),
                new TextDocument("wisdom#1", "\"Well, SOMEbody's out to get me!\"\n\t\t-- Anon"),
                new TextDocument("wisdom#2", "Last one, no final percent"));
    }

    @Test
    void theFourCategoriesAreReadInOrderFromTheDataFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("fortunes"));
        for (String category : Fortunes.CATEGORIES) {
            Files.writeString(folder.resolve(category), category + " one\n%\n" + category + " two\n%\n");
        }
        List<TextDocument> all = Fortunes.quotations(new DataLocations(dir, null));
        assertThat(all).extracting(TextDocument::id).containsExactly("wisdom#0", "wisdom#1", "science#0", "science#1",
                "humorists#0", "humorists#1", "platitudes#0", "platitudes#1");
        assertThat(all.get(7).text()).isEqualTo("platitudes two");
    }
}
