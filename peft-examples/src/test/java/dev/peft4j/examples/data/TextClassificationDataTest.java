package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextClassificationDataTest {

    private static final String BOM = "\uFEFF";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static TextClassificationData read(Path file) throws IOException {
        return TextClassificationData.read(TextDataSpec.builder(file).build());
    }

    @Test
    void csvWithBomHeaderQuotedNewlinesAndTrailingSpaceNewline() throws IOException {
        Path file = write("reviews.csv", BOM + "label,text\r\n"
                + "pos,\"a good film . \n\"\r\n"
                + "neg,\"spans\ntwo lines, with \"\"quotes\"\"\"\r\n"
                + "\r\n"
                + "pos,  plain  \r\n");
        TextClassificationData data = read(file);
        assertThat(data.rows()).containsExactly(
                new LabeledText("a good film .", 1),
                new LabeledText("spans\ntwo lines, with \"quotes\"", 0),
                new LabeledText("plain", 1));
        assertThat(data.labelNames()).containsExactly("neg", "pos");
        assertThat(data.labels().inferred()).isTrue();
        assertThat(data.labels().describe()).isEqualTo("neg -> 0, pos -> 1");
        assertThat(data.file()).isEqualTo(file);
    }

    @Test
    void csvWithoutHeaderByIndexWithAGivenMapping() throws IOException {
        Path file = write("plain.csv", BOM + "\"1\",\"fine . \n\"\n\"-1\",\"dull . \n\"\n");
        TextClassificationData data = TextClassificationData.read(TextDataSpec.builder(file)
                .optHeader(false).optTextColumn(1).optLabelColumn(0).optLabelMapping(Map.of("-1", 0, "1", 1)).build());
        assertThat(data.rows()).containsExactly(new LabeledText("fine .", 1), new LabeledText("dull .", 0));
        assertThat(data.labels().inferred()).isFalse();
        assertThat(data.labelNames()).containsExactly("-1", "1");
    }

    @Test
    void integerLabelsAreInferredInNumericOrder() throws IOException {
        Path file = write("numbers.csv", "text,label\na,10\nb,2\nc,-1\nd,2\n");
        TextClassificationData data = read(file);
        assertThat(data.labelNames()).containsExactly("-1", "2", "10");
        assertThat(data.rows()).extracting(LabeledText::label).containsExactly(2, 1, 0, 1);
    }

    @Test
    void jsonlWithBomBlankLinesAndNumberLabels() throws IOException {
        Path file = write("reviews.jsonl", BOM + "{\"text\": \"great . \\n\", \"label\": 1, \"id\": 7}\n"
                + "\n"
                + "{\"label\": \"0\", \"text\": \"two\\nlines\"}\r\n");
        TextClassificationData data = read(file);
        assertThat(data.rows()).containsExactly(new LabeledText("great .", 1), new LabeledText("two\nlines", 0));
        assertThat(data.labelNames()).containsExactly("0", "1");
    }

    @Test
    void jsonlWithOtherColumnNamesAndExplicitFormat() throws IOException {
        Path file = write("data.txt", "{\"sentence\": \"ok\", \"sentiment\": \"pos\"}\n");
        TextClassificationData data = TextClassificationData.read(TextDataSpec.builder(file)
                .optFormat(TextFormat.JSONL).optTextColumn("sentence").optLabelColumn("sentiment").build());
        assertThat(data.rows()).containsExactly(new LabeledText("ok", 0));
    }

    @Test
    void formatFollowsTheExtension() {
        assertThat(TextFormat.fromFileName(Path.of("a/b.CSV"))).isEqualTo(TextFormat.CSV);
        assertThat(TextFormat.fromFileName(Path.of("b.jsonl"))).isEqualTo(TextFormat.JSONL);
        assertThat(TextFormat.fromFileName(Path.of("b.ndjson"))).isEqualTo(TextFormat.JSONL);
        assertThatThrownBy(() -> TextDataSpec.builder(Path.of("data.txt")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data.txt: cannot tell the format from the file name;"
                        + " use a .csv, .jsonl or .ndjson extension or name the format (CSV or JSONL)");
    }

    @Test
    void emptyFilesHoldNoRows() throws IOException {
        for (Path file : List.of(write("empty.csv", ""), write("bom.csv", BOM), write("header.csv", "label,text\r\n"),
                write("empty.jsonl", "\n  \n"))) {
            assertThatThrownBy(() -> read(file)).isInstanceOf(TextDataException.class).hasMessage(file + " holds no rows");
        }
    }

    @Test
    void missingNamedColumnListsTheColumns() throws IOException {
        Path file = write("reviews.csv", BOM + "label,text\n1,a\n");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(file).optTextColumn("sentence").build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(file + ": no column 'sentence'; columns: [label, text]");
    }

    @Test
    void missingJsonKeyNamesTheLine() throws IOException {
        Path file = write("reviews.jsonl", "{\"label\": 1, \"text\": \"a\"}\n{\"label\": 0, \"txt\": \"b\"}\n");
        assertThatThrownBy(() -> read(file))
                .isInstanceOf(TextDataException.class)
                .hasMessage(file + " line 2: no column 'text'; columns: [label, txt]");
    }

    @Test
    void indexOutOfRangeNamesTheLineAndTheRowsColumnCount() throws IOException {
        Path file = write("short.csv", "1,a\n0,\"b\nc\"\n1\n");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(file)
                .optHeader(false).optTextColumn(1).optLabelColumn(0).build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(file + " line 4: column index 1 is out of range; the row has 1 column");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(file)
                .optHeader(false).optTextColumn(5).optLabelColumn(0).build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(file + " line 1: column index 5 is out of range; the row has 2 columns");
    }

    @Test
    void unknownLabelNamesTheLineAndTheKnownLabels() throws IOException {
        Path file = write("reviews.csv", BOM + "text,label\r\n"
                + "a,pos\r\n"
                + "\"multi\nline\",neg\r\n"
                + "\r\n"
                + "b,pos\r\n"
                + "c,neutral\r\n");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(file)
                .optLabelMapping(Map.of("neg", 0, "pos", 1)).build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(file + " line 7: label 'neutral' is not in the label mapping; known: [neg, pos]");
    }

    @Test
    void jsonlLineThatIsNotAnObject() throws IOException {
        Path array = write("array.jsonl", "{\"text\": \"a\", \"label\": 1}\n\n[1, 2]\n");
        assertThatThrownBy(() -> read(array)).isInstanceOf(TextDataException.class)
                .hasMessage(array + " line 3: expected a JSON object, got an array");
        Path string = write("string.jsonl", "\"just text\"\n");
        assertThatThrownBy(() -> read(string)).isInstanceOf(TextDataException.class)
                .hasMessage(string + " line 1: expected a JSON object, got a string");
        Path broken = write("broken.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"a\",\n");
        assertThatThrownBy(() -> read(broken)).isInstanceOf(TextDataException.class)
                .hasMessageStartingWith(broken + " line 2: not valid JSON: ");
        Path trailing = write("trailing.jsonl", "{\"text\": \"a\", \"label\": 1} {\"text\": \"b\", \"label\": 0}\n");
        assertThatThrownBy(() -> read(trailing)).isInstanceOf(TextDataException.class)
                .hasMessageStartingWith(trailing + " line 1: not valid JSON: ");
    }

    @Test
    void jsonlContainerValueIsRejected() throws IOException {
        Path file = write("nested.jsonl", "{\"text\": {\"en\": \"a\"}, \"label\": 1}\n");
        assertThatThrownBy(() -> read(file)).isInstanceOf(TextDataException.class)
                .hasMessage(file + " line 1: column 'text' holds an object; expected a string, number or boolean");
    }

    @Test
    void blankTextAndBlankLabel() throws IOException {
        Path csv = write("blank.csv", "label,text\npos,a\nneg,\" \n\"\n");
        assertThatThrownBy(() -> read(csv)).isInstanceOf(TextDataException.class)
                .hasMessage(csv + " line 3: blank text in column 'text'");
        Path jsonl = write("blank.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": null, \"label\": 1}\n");
        assertThatThrownBy(() -> read(jsonl)).isInstanceOf(TextDataException.class)
                .hasMessage(jsonl + " line 2: blank text in column 'text'");
        Path label = write("nolabel.csv", "1,a\n,b\n");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(label)
                .optHeader(false).optTextColumn(1).optLabelColumn(0).build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(label + " line 2: blank label in column 0");
    }

    @Test
    void namedColumnWithoutHeaderAndIndexedJsonlColumn() throws IOException {
        Path csv = write("noheader.csv", "1,a\n");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(csv).optHeader(false).build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(csv + ": column 'text' is named, but the CSV has no header row; give its 0-based index");
        Path jsonl = write("indexed.jsonl", "{\"text\": \"a\", \"label\": 1}\n");
        assertThatThrownBy(() -> TextClassificationData.read(TextDataSpec.builder(jsonl).optTextColumn(1).build()))
                .isInstanceOf(TextDataException.class)
                .hasMessage(jsonl + ": JSONL rows are objects, so columns need names; got column index 1");
    }

    @Test
    void repeatedHeaderName() throws IOException {
        Path file = write("twice.csv", "text,label,text\na,1,b\n");
        assertThatThrownBy(() -> read(file)).isInstanceOf(TextDataException.class)
                .hasMessage(file + ": column 'text' appears more than once in the header [text, label, text]");
    }

    @Test
    void malformedCsvAndNonUtf8() throws IOException {
        Path open = write("open.csv", "text,label\n\"never closed,1\n");
        assertThatThrownBy(() -> read(open)).isInstanceOf(TextDataException.class)
                .hasMessageStartingWith(open + ": malformed CSV: ");
        Path latin1 = Files.write(dir.resolve("latin1.csv"), new byte[] {'t', 'e', 'x', 't', ',', 'l', 'a', 'b', 'e', 'l',
                '\n', 'c', 'a', 'f', (byte) 0xE9, ',', '1', '\n'});
        assertThatThrownBy(() -> read(latin1)).isInstanceOf(TextDataException.class)
                .hasMessage(latin1 + ": not UTF-8 text");
        Path latin1Jsonl = Files.write(dir.resolve("latin1.jsonl"), new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"',
                (byte) 0xE9, '"', '}', '\n'});
        assertThatThrownBy(() -> read(latin1Jsonl)).isInstanceOf(TextDataException.class)
                .hasMessage(latin1Jsonl + ": not UTF-8 text");
    }

    @Test
    void missingFileIsNoSuchFile() {
        Path file = dir.resolve("absent.csv");
        assertThatThrownBy(() -> read(file)).isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("absent.csv");
    }
}
