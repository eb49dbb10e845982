package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DocumentSplitTest {

    private static List<TextDocument> chapters(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> new TextDocument("chapter_" + i, "text " + i)).toList();
    }

    @Test
    void everyTenthOf135ChaptersIsHeldOutInOrder() {
        DocumentSplit split = DocumentSplit.everyKth(chapters(135), 10);
        assertThat(split.heldOut()).extracting(TextDocument::id).containsExactly("chapter_10", "chapter_20", "chapter_30",
                "chapter_40", "chapter_50", "chapter_60", "chapter_70", "chapter_80", "chapter_90", "chapter_100",
                "chapter_110", "chapter_120", "chapter_130");
        assertThat(split.train()).hasSize(122);
        assertThat(split.train()).extracting(TextDocument::id).startsWith("chapter_1", "chapter_2").endsWith("chapter_135")
                .doesNotContain("chapter_10");
        assertThat(split).isEqualTo(DocumentSplit.everyKth(chapters(135), 10));
    }

    @Test
    void bytesAreCountedInUtf8() {
        DocumentSplit split = DocumentSplit.everyKth(List.of(new TextDocument("a", "über"), new TextDocument("b", "ab")), 2);
        assertThat(split.trainBytes()).isEqualTo(5);
        assertThat(split.heldOutBytes()).isEqualTo(2);
    }

    @Test
    void badSplitsAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> DocumentSplit.everyKth(chapters(5), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("held_out_every must be >= 2, got 1");
        assertThatThrownBy(() -> DocumentSplit.everyKth(chapters(3), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("3 documents are too few to hold out every 10th");
        assertThatThrownBy(() -> DocumentSplit.everyKth(chapters(1), 2))
                .hasMessage("1 documents are too few to hold out every 2nd");
    }
}
