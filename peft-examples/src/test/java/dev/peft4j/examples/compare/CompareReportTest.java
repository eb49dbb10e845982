package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareReportTest {

    private static final List<String> CHARTS = List.of("loss.png", "accuracy.png", "memory.png", "checkpoint.png",
            "forgetting.png");
    private static final Pattern IMG = Pattern.compile(
            "<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"[^>]*>\\s*<figcaption>.*?<a href=\"charts/([a-z]+\\.png)\">");

    @Test
    void reportNamesEveryMethodAndTheFailureReason(@TempDir Path dir) throws IOException {
        Path report = CompareReport.write(CompareResultsFixture.results(), dir);

        assertThat(report).isEqualTo(dir.resolve("report.html")).isRegularFile();
        String html = Files.readString(report);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>peft compare 2026-11-30T01:40:00Z</title>")
                .contains("5 methods (1 failed)").contains("wall time 13 min 32 s");
        for (String method : List.of("full", "lora", "bottleneck", "prefix", "prompt")) {
            assertThat(html).contains("<td>" + method + "</td>");
        }
        assertThat(html).contains("failed: NaN loss at update 37 (lr 5e-4): see prefix/train.log");
        assertThat(html).doesNotContainIgnoringCase("<script");
        // Set by CompareReport itself (nothing in the build sets it), so charts draw without a display.
        assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
        assertThat(GraphicsEnvironment.isHeadless()).isTrue();
    }

    @Test
    void everyChartIsAPngOfTheExpectedSizeThatIsNotBlank(@TempDir Path dir) throws IOException {
        CompareReport.write(CompareResultsFixture.results(), dir);

        try (Stream<Path> files = Files.list(dir.resolve("charts"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(CHARTS);
        }
        for (String chart : CHARTS) {
            BufferedImage image = ImageIO.read(dir.resolve("charts").resolve(chart).toFile());
            assertThat(image).as(chart).isNotNull();
            assertThat(image.getWidth()).as(chart).isEqualTo(1800);
            assertThat(image.getHeight()).as(chart).isEqualTo(1000);
            int background = image.getRGB(0, 0);
            long drawn = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    drawn += image.getRGB(x, y) != background ? 1 : 0;
                }
            }
            assertThat(drawn).as(chart + ": pixels unlike the background").isGreaterThan(image.getWidth() * image.getHeight() / 50L);
        }
    }

    @Test
    void htmlInlinesEachChartWithTheFilesBytes(@TempDir Path dir) throws IOException {
        CompareReport.write(CompareResultsFixture.results(), dir);
        String html = Files.readString(dir.resolve("report.html"));

        Matcher img = IMG.matcher(html);
        List<String> inlined = new ArrayList<>();
        while (img.find()) {
            byte[] png = Base64.getDecoder().decode(img.group(1));
            assertThat(png).as(img.group(2)).isEqualTo(Files.readAllBytes(dir.resolve("charts").resolve(img.group(2))));
            inlined.add(img.group(2));
        }
        assertThat(inlined).containsExactlyElementsOf(CHARTS);
    }

    @Test
    void tableCellsMatchTheInput(@TempDir Path dir) throws IOException {
        CompareReport.write(CompareResultsFixture.results(), dir);

        Map<String, List<String>> rows = tableRows(Files.readString(dir.resolve("report.html")));

        assertThat(rows.keySet()).containsExactly("full", "lora", "bottleneck", "prefix", "prompt");
        assertThat(rows.get("full")).containsExactly("22,713,602 (100.00%)", "0.8412", "0.8409", "0.3761", "2,210 ms",
                "620", "1,016.5 / 966.8", "86.7 MiB / 86.7 MiB (100%)", "0.9127 (min 0.7015)", "n/a");
        assertThat(rows.get("lora")).containsExactly("74,498 (0.33%)", "0.7925", "0.7921", "0.4512", "1,305 ms", "1,010",
                "937.3 / 890.2", "295.6 KiB / 86.7 MiB (0.333%)", "0.9811 (min 0.9302)", "yes");
        assertThat(rows.get("bottleneck")).containsExactly("112,130 (0.49%)", "0.8050", "0.8047", "0.4301", "1,200 ms",
                "1,100", "826.2 / 784.1", "442.3 KiB / 86.7 MiB (0.498%)", "0.9744 (min 0.9011)", "yes");
        assertThat(rows.get("prefix")).containsExactly("failed: " + CompareResultsFixture.PREFIX_FAILURE);
        assertThat(rows.get("prompt")).containsExactly("8,450 (0.04%)", "0.6313", "0.6290", "0.6402", "1,612 ms", "820",
                "1,085.8 / 1,023.5", "33.5 KiB / 86.7 MiB (0.0377%)", "0.9990 (min 0.9952)", "yes");
    }

    @Test
    void markdownTableHasTheSameCells() {
        String markdown = ReportTable.markdown(CompareResultsFixture.results());

        assertThat(markdown.lines().toList()).hasSize(7);
        assertThat(markdown.lines().toList().get(0)).startsWith("| method | trainable (%) | accuracy |");
        assertThat(markdown).contains("| lora | 74,498 (0.33%) | 0.7925 | 0.7921 | 0.4512 | 1,305 ms | 1,010 | 937.3 / 890.2 "
                + "| 295.6 KiB / 86.7 MiB (0.333%) | 0.9811 (min 0.9302) | yes |\n");
        assertThat(markdown).contains("| prefix | failed: NaN loss at update 37 (lr 5e-4): see prefix/train.log |");
        MethodResult piped = MethodResult.failed("a|b", "LORA", "exit\nstatus 137");
        assertThat(ReportTable.markdown(CompareResultsFixture.of(List.of(piped))))
                .contains("| a\\|b | failed: exit status 137 |");
    }

    @Test
    void failedMethodsAndMissingNumbersAreLeftOutOfTheCharts(@TempDir Path dir) throws IOException {
        MethodResult lora = CompareResultsFixture.lora();
        MethodResult partial = new MethodResult("lora-r16", "LORA", MethodResult.OK, null, 0.8012, 0.8, 0.44, 147_970L,
                22_861_058L, 0.6473, 290.0, 1320.0, 1000.0, null, null, null, null, null, null, null, null);
        CompareResults results = CompareResultsFixture.of(
                List.of(lora, MethodResult.failed("prefix", "PREFIX_TUNING", "killed by signal 9"), partial));

        List<ChartPng> charts = CompareReport.draw(results);

        assertThat(charts).extracting(c -> c.chart().fileName()).containsExactlyElementsOf(CHARTS);
        for (ChartPng chart : charts) {
            List<String> keys = keys(chart.chart().chart().getPlot());
            assertThat(keys).as(chart.chart().fileName()).noneMatch(key -> key.startsWith("prefix"));
            assertThat(keys).as(chart.chart().fileName()).anyMatch(key -> key.startsWith("lora"));
        }
        assertThat(keys(chart(charts, "accuracy.png"))).containsExactly("lora", "lora-r16");
        assertThat(keys(chart(charts, "memory.png"))).containsExactly("lora");
        assertThat(keys(chart(charts, "loss.png"))).containsExactly("lora (every update)", "lora");
        CompareReport.write(results, dir);
        Map<String, List<String>> rows = tableRows(Files.readString(dir.resolve("report.html")));
        assertThat(rows.get("lora-r16")).containsExactly("147,970 (0.65%)", "0.8012", "0.8000", "0.4400", "1,320 ms",
                "1,000", "–", "–", "–", "–");
    }

    @Test
    void withNoFinishedMethodTheReportHasNoChartsAndRerenderingRemovesOldOnes(@TempDir Path dir) throws IOException {
        CompareReport.write(CompareResultsFixture.results(), dir);
        CompareResults allFailed = CompareResultsFixture.of(List.of(MethodResult.failed("lora", "LORA", "exit status 1"),
                MethodResult.failed("full", "FULL", null)));

        CompareReport.write(allFailed, dir);

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("No method finished with numbers to chart.").doesNotContain("data:image/png")
                .contains("failed: exit status 1").contains("failed: failed (no reason recorded)");
        try (Stream<Path> files = Files.list(dir.resolve("charts"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void stringsFromTheResultsAreEscaped(@TempDir Path dir) throws IOException {
        String evilMethod = "<script>alert('m')</script>";
        String evilFailure = "boom <img src=x onerror=alert(1)> & \"quoted\"";
        MethodResult lora = CompareResultsFixture.lora();
        MethodResult evil = new MethodResult(evilMethod, lora.peftType(), lora.status(), null, lora.accuracy(),
                lora.macroF1(), lora.loss(), lora.trainableParams(), lora.allParams(), lora.trainablePercent(),
                lora.wallSeconds(), lora.medianStepMillis(), lora.tokensPerSecond(), lora.memory(), lora.checkpoint(),
                new MethodResult.Forgetting("</figcaption><script>x()</script>", 3000, 0.98, 0.93, true, false),
                lora.trainLosses(), lora.epochs(), null, null, null);
        CompareResults base = CompareResultsFixture.of(List.of(evil, MethodResult.failed("prefix\"><b>", "X", evilFailure)));
        com.fasterxml.jackson.databind.node.ObjectNode recipe = base.recipe().deepCopy();
        recipe.put("model", "</td><script>steal()</script>");
        recipe.put("<key>", "v");
        CompareResults results = new CompareResults("<t>", 1, true, recipe, base.environment(), base.methods());

        CompareReport.write(results, dir);

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("<img src=x").doesNotContain("<b>")
                .doesNotContain("<key>").doesNotContain("<t>");
        assertThat(html).contains("<td>&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;</td>")
                .contains("failed: boom &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;")
                .contains("<td>prefix&quot;&gt;&lt;b&gt;</td>")
                .contains("<td>model</td><td>&lt;/td&gt;&lt;script&gt;steal()&lt;/script&gt;</td>")
                .contains("&lt;/figcaption&gt;&lt;script&gt;x()&lt;/script&gt;")
                .contains("<title>peft compare &lt;t&gt;</title>");
        assertThat(tableRows(html).get(evilMethod)).last().isEqualTo("no");
    }

    @Test
    void aLabelUsedTwiceOrMissingIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        CompareResults twice = CompareResultsFixture.of(List.of(CompareResultsFixture.lora(), CompareResultsFixture.lora()));
        CompareResults blank = CompareResultsFixture.of(List.of(CompareResultsFixture.lora(),
                MethodResult.failed(" ", "LORA", "exit status 1")));

        assertThatThrownBy(() -> CompareReport.write(twice, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("method 'lora' appears twice in the results; each method run needs its own label");
        assertThatThrownBy(() -> CompareReport.write(blank, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("method #2 has no label");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    private static Plot chart(List<ChartPng> charts, String file) {
        return charts.stream().filter(c -> c.chart().fileName().equals(file)).findFirst().orElseThrow().chart().chart()
                .getPlot();
    }

    /** The series (XY plots) or categories (category plots) a chart draws. */
    private static List<String> keys(Plot plot) {
        List<String> keys = new ArrayList<>();
        if (plot instanceof XYPlot xy) {
            for (int s = 0; s < xy.getDataset().getSeriesCount(); s++) {
                keys.add(String.valueOf(xy.getDataset().getSeriesKey(s)));
            }
        } else if (plot instanceof CategoryPlot category) {
            category.getDataset().getColumnKeys().forEach(key -> keys.add(String.valueOf(key)));
        }
        return keys;
    }

    /** The results table's rows: method (unescaped) to the other cells (unescaped), in order. */
    static Map<String, List<String>> tableRows(String html) {
        int start = html.indexOf("<table class=\"results\">");
        String table = html.substring(start, html.indexOf("</table>", start));
        String body = table.substring(table.indexOf("<tbody>"));
        Map<String, List<String>> rows = new LinkedHashMap<>();
        Matcher row = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(body);
        while (row.find()) {
            Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(row.group(1));
            List<String> cells = new ArrayList<>();
            while (cell.find()) {
                cells.add(unescape(cell.group(1)));
            }
            rows.put(cells.getFirst(), cells.subList(1, cells.size()));
        }
        return rows;
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }
}
