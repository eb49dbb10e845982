package dev.peft4j.examples.compare;

import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Chart (b): held-out accuracy against trainable parameters (log-scaled x axis), one labelled
 * point per method that has both numbers.
 */
final class AccuracyChart {

    /** The plot area inside a {@link ChartPng#WIDTH} x {@link ChartPng#HEIGHT} chart (axes and title taken off), pixels. */
    private static final double PLOT_WIDTH = ChartPng.WIDTH - 95;
    private static final double PLOT_HEIGHT = ChartPng.HEIGHT - 95;

    private AccuracyChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method has an accuracy and a positive trainable count
     */
    static Optional<ReportChart> of(CompareResults results) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        List<Integer> colors = new ArrayList<>();
        List<MethodResult> methods = results.methods();
        for (int i = 0; i < methods.size(); i++) {
            MethodResult m = methods.get(i);
            if (!m.isOk() || m.accuracy() == null || m.trainableParams() == null || m.trainableParams() <= 0) {
                continue;
            }
            XYSeries point = new XYSeries(m.method(), false, true);
            point.add(m.trainableParams().doubleValue(), m.accuracy());
            dataset.addSeries(point);
            colors.add(i);
        }
        if (dataset.getSeriesCount() == 0) {
            return Optional.empty();
        }
        double[] logX = range(dataset, true);
        double[] y = range(dataset, false);
        LogAxis xAxis = new LogAxis("trainable parameters (log scale)");
        xAxis.setNumberFormatOverride(LabelFormat.count());
        xAxis.setSmallestValue(1);
        xAxis.setTickUnit(new NumberTickUnit(1)); // one tick per decade (the unit is in log10 space)
        xAxis.setRange(Math.pow(10, logX[0]), Math.pow(10, logX[1]));
        NumberAxis yAxis = new NumberAxis("held-out accuracy");
        yAxis.setRange(y[0], y[1]);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        XYPlot plot = new XYPlot(dataset, xAxis, yAxis, renderer);
        JFreeChart chart = ChartStyle.chart("Accuracy against trainable parameters", plot, false);
        renderer.setDefaultItemLabelGenerator((data, series, item) -> String.valueOf(data.getSeriesKey(series)));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.LABEL_FONT);
        List<PointLabels.Point> points = new ArrayList<>();
        for (int s = 0; s < dataset.getSeriesCount(); s++) {
            double u = (Math.log10(dataset.getXValue(s, 0)) - logX[0]) / (logX[1] - logX[0]);
            double v = (dataset.getYValue(s, 0) - y[0]) / (y[1] - y[0]);
            points.add(new PointLabels.Point(u * PLOT_WIDTH, (1 - v) * PLOT_HEIGHT, (String) dataset.getSeriesKey(s)));
        }
        List<PointLabels.Side> sides = PointLabels.place(points, ChartStyle.LABEL_FONT, PLOT_WIDTH, PLOT_HEIGHT);
        for (int s = 0; s < colors.size(); s++) {
            renderer.setSeriesPaint(s, ChartStyle.methodColor(colors.get(s)));
            renderer.setSeriesShape(s, new Ellipse2D.Double(-6, -6, 12, 12));
            renderer.setSeriesItemLabelPaint(s, ChartStyle.methodColor(colors.get(s)).darker());
            renderer.setSeriesPositiveItemLabelPosition(s, sides.get(s).position);
            renderer.setSeriesNegativeItemLabelPosition(s, sides.get(s).position);
        }
        return Optional.of(new ReportChart("accuracy.png", "Accuracy against trainable parameters",
                "Held-out accuracy after the last epoch (y) against the number of trainable parameters (x, log scale); "
                        + "up and to the left is better: more accuracy for fewer trained parameters.",
                chart));
    }

    /**
     * The axis range: the data's range (log10 of x, or y) widened by 8% (x) or 12% (y) on each
     * side, at least one decade (x) or 0.04 (y) wide, so labels fit and a single point sits centred.
     *
     * @return {lower, upper}, for x in log10 units
     */
    private static double[] range(XYSeriesCollection dataset, boolean logX) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (int s = 0; s < dataset.getSeriesCount(); s++) {
            double value = logX ? Math.log10(dataset.getXValue(s, 0)) : dataset.getYValue(s, 0);
            lo = Math.min(lo, value);
            hi = Math.max(hi, value);
        }
        double margin = logX ? 0.08 : 0.12;
        double minimum = logX ? 1 : 0.04;
        double span = Math.max(hi - lo, minimum);
        double middle = (lo + hi) / 2;
        lo = Math.min(lo, middle - minimum / 2) - margin * span;
        hi = Math.max(hi, middle + minimum / 2) + margin * span;
        return new double[] {lo, hi};
    }
}
