package dev.peft4j.examples.compare;

import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: one self-contained page (inline CSS, charts inlined as base64
 * {@code data:image/png} URIs, no JavaScript) with the title and summary, the recipe and the
 * environment, the comparison table ({@link ReportTable}; a failed method's row shows its
 * reason), then the charts with their captions. Every string taken from the results is escaped
 * with {@link HtmlEscape}.
 */
final class ReportHtml {

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222;
                   max-width: 1440px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
            h1 { margin-bottom: 0.2em; }
            .summary { color: #555; margin-top: 0; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
            .scroll { overflow-x: auto; }
            th, td { border-bottom: 1px solid #ddd; padding: 0.35em 0.6em; vertical-align: top; }
            th { background: #f4f4f4; text-align: left; }
            table.results td { text-align: right; white-space: nowrap; }
            table.results td:first-child { text-align: left; font-weight: 600; }
            tr.failed td { background: #fdecea; }
            tr.failed td.failure { text-align: left; white-space: normal; color: #a52714; }
            .setup { display: flex; flex-wrap: wrap; gap: 2em; }
            .setup table td:first-child { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: #444; }
            .setup table td { overflow-wrap: anywhere; max-width: 34em; }
            figure { margin: 1.5em 0; }
            figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { color: #444; max-width: 900px; }
            """;

    private ReportHtml() {}

    /**
     * @param results the comparison
     * @param charts the drawn charts, in display order
     * @param chartsDir the charts' folder relative to the HTML file ({@code charts})
     * @return the page
     */
    static String render(CompareResults results, List<ChartPng> charts, String chartsDir) {
        StringBuilder html = new StringBuilder(64 * 1024);
        List<ReportTable.Row> rows = ReportTable.rows(results);
        long failed = rows.stream().filter(ReportTable.Row::failed).count();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>peft compare").append(results.startedAt() == null ? "" : " " + esc(results.startedAt()))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>peft compare</h1>\n<p class=\"summary\">")
                .append(rows.size()).append(rows.size() == 1 ? " method" : " methods");
        if (failed > 0) {
            html.append(" (").append(failed).append(" failed)");
        }
        if (results.startedAt() != null) {
            html.append(", started ").append(esc(results.startedAt()));
        }
        html.append(String.format(Locale.ROOT, ", wall time %s", wallTime(results.wallSeconds())));
        if (results.quick()) {
            html.append(", <strong>quick</strong> (shortened) recipe");
        }
        html.append(".</p>\n");
        setup(html, results);
        table(html, rows);
        charts(html, charts, chartsDir);
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    private static void setup(StringBuilder html, CompareResults results) {
        html.append("<div class=\"setup\">\n");
        keyValues(html, "Recipe", JsonRows.flatten(results.recipe()));
        keyValues(html, "Environment", JsonRows.flatten(results.environment()));
        html.append("</div>\n");
    }

    private static void keyValues(StringBuilder html, String heading, List<JsonRows.Row> rows) {
        html.append("<section>\n<h2>").append(heading).append("</h2>\n");
        if (rows.isEmpty()) {
            html.append("<p>not recorded</p>\n</section>\n");
            return;
        }
        html.append("<table>\n");
        for (JsonRows.Row row : rows) {
            html.append("<tr><td>").append(esc(row.key())).append("</td><td>").append(esc(row.value()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n</section>\n");
    }

    private static void table(StringBuilder html, List<ReportTable.Row> rows) {
        html.append("<h2>Results</h2>\n<div class=\"scroll\">\n<table class=\"results\">\n<thead><tr>");
        for (String heading : ReportTable.HEADINGS) {
            html.append("<th>").append(esc(heading)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (ReportTable.Row row : rows) {
            if (row.failed()) {
                html.append("<tr class=\"failed\"><td>").append(esc(row.method()))
                        .append("</td><td class=\"failure\" colspan=\"").append(ReportTable.HEADINGS.size() - 1)
                        .append("\">failed: ").append(esc(row.failure())).append("</td></tr>\n");
            } else {
                html.append("<tr>");
                for (String cell : row.cells()) {
                    html.append("<td>").append(esc(cell)).append("</td>");
                }
                html.append("</tr>\n");
            }
        }
        html.append("</tbody>\n</table>\n</div>\n<p class=\"summary\">Accuracy, macro-F1 and loss (cross-entropy, nats) on the "
                + "held-out split after the last epoch. Median step: one optimizer update. Memory: peak resident set "
                + "over idle measured in the method's own JVM / accounted gradients + optimizer state + activations. "
                + "Forgetting: mean (and smallest) cosine similarity of the trained and the base model's sentence "
                + "embeddings on text not in the task. Base intact: with the adapter disabled, embeddings and logits "
                + "are bit-identical to the base model's.</p>\n");
    }

    private static void charts(StringBuilder html, List<ChartPng> charts, String chartsDir) {
        html.append("<h2>Charts</h2>\n");
        if (charts.isEmpty()) {
            html.append("<p>No method finished with numbers to chart.</p>\n");
            return;
        }
        Base64.Encoder base64 = Base64.getEncoder();
        for (ChartPng png : charts) {
            ReportChart chart = png.chart();
            String file = chartsDir + "/" + chart.fileName();
            html.append("<figure id=\"").append(esc(chart.fileName().replace(".png", ""))).append("\">\n")
                    .append("<img src=\"data:image/png;base64,").append(base64.encodeToString(png.png()))
                    .append("\" width=\"").append(ChartPng.WIDTH).append("\" height=\"").append(ChartPng.HEIGHT)
                    .append("\" alt=\"").append(esc(chart.title())).append("\">\n")
                    .append("<figcaption><strong>").append(esc(chart.title())).append(".</strong> ")
                    .append(esc(chart.caption())).append(" (<a href=\"").append(esc(file)).append("\">")
                    .append(esc(file)).append("</a>)</figcaption>\n</figure>\n");
        }
    }

    private static String wallTime(double seconds) {
        if (seconds >= 60) {
            long whole = Math.round(seconds);
            return String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60);
        }
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static String esc(String text) {
        return HtmlEscape.text(text);
    }
}
