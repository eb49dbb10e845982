package dev.peft4j.examples.compare;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Chart (a): the training loss of every update, one colour per method. Each method gets a thin
 * translucent line with the loss of every update and a thick line with its centred moving average
 * over {@link #window(int)} updates (the window shrinks at both ends, so the curve starts and ends at
 * the averages of the updates that exist). Methods without training losses are left out.
 */
public final class LossChart {

    private LossChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method has training losses
     */
    static Optional<ReportChart> of(CompareResults results) {
        List<MethodResult> ok = results.methods();
        return of(ok.stream().map(MethodResult::method).toList(),
                ok.stream().map(m -> m.isOk() ? losses(m) : List.<Double>of()).toList(), "cross-entropy");
    }

    /**
     * The same chart for any comparison ({@code peft compare-lm}'s too).
     *
     * @param names the methods, in report order (their colours)
     * @param lossesByMethod each method's loss of every update; empty for a failed method
     * @param lossName what the loss is, for the axis and caption ({@code cross-entropy})
     * @return the chart, empty when no method has training losses
     */
    public static Optional<ReportChart> of(List<String> names, List<List<Double>> lossesByMethod, String lossName) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        int longest = lossesByMethod.stream().mapToInt(List::size).max().orElse(0);
        if (longest == 0) {
            return Optional.empty();
        }
        int window = window(longest);
        record Drawn(int methodIndex, boolean smoothed) {}
        List<Drawn> drawn = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            List<Double> losses = lossesByMethod.get(i);
            if (losses.isEmpty()) {
                continue;
            }
            double[] smoothed = movingAverage(losses, window);
            XYSeries raw = new XYSeries(names.get(i) + " (every update)", false, true);
            XYSeries mean = new XYSeries(names.get(i), false, true);
            for (int u = 0; u < losses.size(); u++) {
                Double loss = losses.get(u);
                if (loss != null && Double.isFinite(loss)) {
                    raw.add(u + 1, loss);
                }
                if (Double.isFinite(smoothed[u])) {
                    mean.add(u + 1, smoothed[u]);
                }
            }
            if (window > 1) {
                dataset.addSeries(raw);
                drawn.add(new Drawn(i, false));
            }
            dataset.addSeries(mean);
            drawn.add(new Drawn(i, true));
        }
        NumberAxis x = new NumberAxis("update");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis("training loss (" + lossName + ", nats)");
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        XYPlot plot = new XYPlot(dataset, x, y, renderer);
        JFreeChart chart = ChartStyle.chart("Training loss", plot, true);
        for (int s = 0; s < drawn.size(); s++) {
            Color color = ChartStyle.methodColor(drawn.get(s).methodIndex());
            if (drawn.get(s).smoothed()) {
                renderer.setSeriesPaint(s, color);
                renderer.setSeriesStroke(s, ChartStyle.stroke(2.5f));
            } else {
                renderer.setSeriesPaint(s, new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
                renderer.setSeriesStroke(s, ChartStyle.stroke(1f));
                renderer.setSeriesVisibleInLegend(s, false);
            }
        }
        String caption = window == 1
                ? "Training loss of every update (x: update number, y: mean " + lossName + " of the batch), one line per method."
                : "Training loss (x: update number, y: mean " + lossName + " of the batch). Thin lines: every update; "
                        + "thick lines: centred moving average over " + window + " updates.";
        return Optional.of(new ReportChart("loss.png", "Training loss", caption, chart));
    }

    /**
     * @param updates the number of updates of the longest run
     * @return the moving-average window: a tenth of the run, between 1 and 25 updates
     */
    static int window(int updates) {
        return Math.max(1, Math.min(25, Math.round(updates / 10f)));
    }

    /**
     * Centred moving average; non-finite values (a NaN loss before a failure) are skipped.
     *
     * @param values the series
     * @param window the window length, {@code >= 1}
     * @return the mean of the finite values within {@code window / 2} positions on each side of
     *     each position ({@code NaN} where there are none)
     */
    static double[] movingAverage(List<Double> values, int window) {
        int half = window / 2;
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            int n = 0;
            for (int j = Math.max(0, i - half); j <= Math.min(out.length - 1, i + (window - 1 - half)); j++) {
                Double v = values.get(j);
                if (v != null && Double.isFinite(v)) {
                    sum += v;
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    private static List<Double> losses(MethodResult m) {
        return m.trainLosses() == null ? List.of() : m.trainLosses();
    }
}
