package dev.peft4j.examples.lm;

import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.examples.compare.ChartPng;
import dev.peft4j.examples.compare.HtmlEscape;
import dev.peft4j.examples.compare.LossChart;
import dev.peft4j.examples.compare.ReportChart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html} of {@code peft compare-lm}: one self-contained page with the base model, the
 * table, every method's samples before and after, and two charts (training loss, held-out
 * perplexities) inlined as base64 PNG and also written under {@value #CHARTS_DIR}.
 */
public final class LmReport {

    /** The report's file name. */
    public static final String FILE = "report.html";
    /** Where the chart PNGs go. */
    public static final String CHARTS_DIR = "charts";

    private LmReport() {}

    /**
     * @param results a comparison
     * @param output its folder
     * @return the written report
     * @throws IOException if a file cannot be written
     */
    public static Path write(LmCompareResults results, Path output) throws IOException {
        List<ReportChart> charts = new ArrayList<>();
        List<LmMethodResult> methods = results.methods();
        LossChart.of(methods.stream().map(LmMethodResult::method).toList(),
                methods.stream().map(m -> m.isOk() ? m.trainLosses() : List.<Double>of()).toList(), "causal-LM cross-entropy")
                .ifPresent(charts::add);
        PerplexityChart.of(results).ifPresent(charts::add);
        Path chartsDir = Files.createDirectories(output.resolve(CHARTS_DIR));
        List<ChartPng> drawn = new ArrayList<>();
        for (ReportChart chart : charts) {
            ChartPng png = ChartPng.draw(chart);
            AtomicFiles.write(chartsDir.resolve(chart.fileName()), png.png());
            drawn.add(png);
        }
        Path file = output.resolve(FILE);
        AtomicFiles.write(file, html(results, drawn).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    static String html(LmCompareResults results, List<ChartPng> charts) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>peft compare-lm</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
                .append("td:first-child,th:first-child{text-align:left}pre{white-space:pre-wrap;background:#f6f6f6;padding:6px}")
                .append("</style></head><body>\n");
        html.append("<h1>Decoder comparison: Moby Dick base adapted to fortunes</h1>\n");
        PretrainReport base = results.base();
        PretrainRecipe p = base.recipe();
        html.append(String.format(Locale.ROOT, "<p>Base: our own Llama-style byte-level decoder, pre-trained here on Moby Dick"
                + " (%d layers, hidden %d, %d query / %d key-value heads, MLP %d; %,d parameters; %,d updates of %d &times; %d bytes"
                + " in %.1f s); held-out Moby Dick perplexity %.3f per byte (%.3f bits/byte). Cache key <code>%s</code>.</p>\n",
                p.numHiddenLayers(), p.hiddenSize(), p.numAttentionHeads(), p.numKeyValueHeads(), p.intermediateSize(),
                base.parameters(), p.steps(), p.batchSize(), p.seqLen(), base.wallSeconds(), base.heldOutPerplexity(),
                base.heldOutBitsPerByte(), HtmlEscape.text(base.key())));
        html.append(String.format(Locale.ROOT, "<p>Started %s, %.1f s for all methods%s.</p>\n", HtmlEscape.text(results.startedAt()),
                results.wallSeconds(), results.quick() ? " (--quick)" : ""));
        table(html, LmCompareTable.markdown(results));
        html.append("<h2>Samples</h2>\n");
        for (LmMethodResult m : results.methods()) {
            if (!m.isOk()) {
                html.append("<h3>").append(HtmlEscape.text(m.method())).append(": failed</h3><p>")
                        .append(HtmlEscape.text(m.failure())).append("</p>\n");
                continue;
            }
            html.append("<h3>").append(HtmlEscape.text(m.method())).append("</h3>\n");
            sample(html, "before, greedy", m.samplesBefore().prompt(), m.samplesBefore().greedy());
            sample(html, "before, sampled", m.samplesBefore().prompt(), m.samplesBefore().sampled());
            sample(html, "after, greedy", m.samplesAfter().prompt(), m.samplesAfter().greedy());
            sample(html, "after, sampled", m.samplesAfter().prompt(), m.samplesAfter().sampled());
        }
        Base64.Encoder base64 = Base64.getEncoder();
        for (ChartPng png : charts) {
            html.append("<figure><h2>").append(HtmlEscape.text(png.chart().title())).append("</h2>")
                    .append("<img src=\"data:image/png;base64,").append(base64.encodeToString(png.png()))
                    .append("\" width=\"").append(ChartPng.WIDTH).append("\" height=\"").append(ChartPng.HEIGHT)
                    .append("\" alt=\"").append(HtmlEscape.text(png.chart().title())).append("\"><figcaption>")
                    .append(HtmlEscape.text(png.chart().caption())).append("</figcaption></figure>\n");
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void sample(StringBuilder html, String label, String prompt, String continuation) {
        html.append("<p>").append(HtmlEscape.text(label)).append(":</p><pre><b>").append(HtmlEscape.text(prompt)).append("</b>")
                .append(HtmlEscape.text(continuation)).append("</pre>\n");
    }

    /** Renders the markdown table as an HTML table (its cells hold no markup). */
    private static void table(StringBuilder html, String markdown) {
        html.append("<table>\n");
        List<String> lines = markdown.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (i == 1) {
                continue;
            }
            String line = lines.get(i);
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ", -1);
            String tag = i == 0 ? "th" : "td";
            html.append("<tr>");
            for (String cell : cells) {
                html.append('<').append(tag).append('>').append(HtmlEscape.text(cell.replace("\\|", "|"))).append("</").append(tag).append('>');
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

}
