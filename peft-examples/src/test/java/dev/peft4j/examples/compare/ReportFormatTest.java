package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportFormatTest {

    @Test
    void sizesUseBinaryUnits() {
        assertThat(ReportFormat.bytes(0)).isEqualTo("0 B");
        assertThat(ReportFormat.bytes(1023)).isEqualTo("1023 B");
        assertThat(ReportFormat.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(ReportFormat.bytes(34_296)).isEqualTo("33.5 KiB");
        assertThat(ReportFormat.bytes(90_870_512)).isEqualTo("86.7 MiB");
        assertThat(ReportFormat.bytes(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(LabelFormat.bytes().format(256.0 * 1024 * 1024)).isEqualTo("256 MiB");
        assertThat(LabelFormat.bytes().format(1536.0)).isEqualTo("1.5 KiB");
    }

    @Test
    void numbersAndMissingValues() {
        assertThat(ReportFormat.fraction(0.79251)).isEqualTo("0.7925");
        assertThat(ReportFormat.fraction(null)).isEqualTo("–");
        assertThat(ReportFormat.count(22_713_602L)).isEqualTo("22,713,602");
        assertThat(ReportFormat.percent(0.3269)).isEqualTo("0.33%");
        assertThat(ReportFormat.millis(1305.4)).isEqualTo("1,305 ms");
        assertThat(ReportFormat.millis(4.26)).isEqualTo("4.3 ms");
        assertThat(ReportFormat.rate(1009.6)).isEqualTo("1,010");
        assertThat(ReportFormat.mebibytes(937L * 1024 * 1024 + 314_573)).isEqualTo("937.3");
        assertThat(LabelFormat.si(73_728)).isEqualTo("73.7K");
        assertThat(LabelFormat.si(1e7)).isEqualTo("10M");
        assertThat(LabelFormat.si(100)).isEqualTo("100");
    }

    @Test
    void htmlEscapeReplacesTheFiveSpecialCharacters() {
        assertThat(HtmlEscape.text("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(HtmlEscape.text(null)).isEmpty();
        assertThat(HtmlEscape.text("lora-r16 ü")).isEqualTo("lora-r16 ü");
    }

    @Test
    void movingAverageIsCentredAndShrinksAtTheEnds() {
        double[] smoothed = LossChart.movingAverage(List.of(1.0, 2.0, 3.0, 4.0, 5.0), 3);
        assertThat(smoothed).containsExactly(1.5, 2.0, 3.0, 4.0, 4.5);
        // An even window looks one step further back than ahead: positions i-2..i+1.
        assertThat(LossChart.movingAverage(List.of(1.0, 2.0, 3.0, 4.0, 5.0), 4)).containsExactly(1.5, 2.0, 2.5, 3.5, 4.0);
        assertThat(LossChart.movingAverage(Arrays.asList(1.0, Double.NaN, 3.0), 3)).containsExactly(1.0, 2.0, 3.0);
        assertThat(LossChart.movingAverage(List.of(2.0, 4.0), 1)).containsExactly(2.0, 4.0);
        assertThat(LossChart.window(5)).isEqualTo(1);
        assertThat(LossChart.window(100)).isEqualTo(10);
        assertThat(LossChart.window(5000)).isEqualTo(25);
    }
}
