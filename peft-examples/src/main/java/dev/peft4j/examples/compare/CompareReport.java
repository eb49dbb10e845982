package dev.peft4j.examples.compare;

import dev.peft4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes a comparison's {@code report.html} and its charts. The charts, drawn with JFreeChart in
 * headless AWT, are (a) training-loss curves ({@code loss.png}), (b) held-out accuracy against
 * trainable parameters on a log axis ({@code accuracy.png}), (c) memory over idle by kind,
 * accounted beside measured ({@code memory.png}), (d) adapter against full-model checkpoint size
 * on a log axis ({@code checkpoint.png}) and (e) forgetting ({@code forgetting.png}). Each PNG is
 * written under {@code <outputDir>/charts/} and the same bytes are inlined in the HTML as a base64
 * {@code data:} URI, so the HTML file alone carries the whole report. Failed methods appear in the
 * table with their reason and are left out of the charts; a chart with no method to show is
 * omitted. Every file is written atomically ({@link AtomicFiles}).
 */
public final class CompareReport {

    /** The report's file name in the output folder. */
    public static final String REPORT_FILE = "report.html";
    /** The charts' folder in the output folder. */
    public static final String CHARTS_DIR = "charts";

    private static final List<Function<CompareResults, Optional<ReportChart>>> CHARTS = List.of(LossChart::of,
            AccuracyChart::of, MemoryChart::of, CheckpointChart::of, ForgettingChart::of);

    /** Every chart file the report may write; one not drawn this time is deleted (a re-render leaves no stale chart). */
    static final List<String> CHART_FILES = List.of("loss.png", "accuracy.png", "memory.png", "checkpoint.png",
            "forgetting.png");

    static {
        Headless.ensure();
    }

    private CompareReport() {}

    /**
     * Draws the charts and writes {@code report.html} and {@code charts/*.png} into
     * {@code outputDir}, creating the folders if needed and replacing earlier files of the same
     * names.
     *
     * @param results the comparison
     * @param outputDir the comparison's output folder
     * @return the written {@code report.html}
     * @throws IOException if a file cannot be written or a chart cannot be encoded
     * @throws IllegalArgumentException if two methods share a label (chart series are keyed by it)
     *     or one has none
     */
    public static Path write(CompareResults results, Path outputDir) throws IOException {
        MethodLabels.requireUnique(results);
        List<ChartPng> charts = draw(results);
        Path chartsDir = outputDir.resolve(CHARTS_DIR);
        Files.createDirectories(chartsDir);
        for (ChartPng chart : charts) {
            AtomicFiles.write(chartsDir.resolve(chart.chart().fileName()), chart.png());
        }
        for (String stale : CHART_FILES) {
            if (charts.stream().noneMatch(chart -> chart.chart().fileName().equals(stale))) {
                Files.deleteIfExists(chartsDir.resolve(stale));
            }
        }
        Path report = outputDir.resolve(REPORT_FILE);
        AtomicFiles.write(report, ReportHtml.render(results, charts, CHARTS_DIR).getBytes(StandardCharsets.UTF_8));
        return report;
    }

    /**
     * @param results the comparison
     * @return the charts that have something to show, drawn, in report order
     * @throws IOException if PNG encoding fails
     */
    static List<ChartPng> draw(CompareResults results) throws IOException {
        List<ChartPng> drawn = new ArrayList<>();
        for (Function<CompareResults, Optional<ReportChart>> chart : CHARTS) {
            Optional<ReportChart> built = chart.apply(results);
            if (built.isPresent()) {
                drawn.add(ChartPng.draw(built.get()));
            }
        }
        return drawn;
    }
}
