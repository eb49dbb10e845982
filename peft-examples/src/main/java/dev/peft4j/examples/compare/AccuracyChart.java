package dev.peft4j.examples.compare;

import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Chart (b): held-out accuracy against trainable parameters (log-scaled x axis), one labelled
 * point per method that has both numbers.
 */
final class AccuracyChart {

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
        LogAxis x = new LogAxis("trainable parameters (log scale)");
        x.setNumberFormatOverride(LabelFormat.count());
        x.setSmallestValue(1);
        x.setTickUnit(new NumberTickUnit(1)); // one tick per decade (the unit is in log10 space)
        x.setMinorTickCount(9);
        x.setMinorTickMarksVisible(true);
        x.setLowerMargin(0.08);
        x.setUpperMargin(0.08);
        NumberAxis y = new NumberAxis("held-out accuracy");
        y.setAutoRangeIncludesZero(false);
        y.setLowerMargin(0.12);
        y.setUpperMargin(0.12);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        XYPlot plot = new XYPlot(dataset, x, y, renderer);
        JFreeChart chart = ChartStyle.chart("Accuracy against trainable parameters", plot, false);
        renderer.setDefaultItemLabelGenerator((data, series, item) -> String.valueOf(data.getSeriesKey(series)));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.LABEL_FONT);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        for (int s = 0; s < colors.size(); s++) {
            renderer.setSeriesPaint(s, ChartStyle.methodColor(colors.get(s)));
            renderer.setSeriesShape(s, new Ellipse2D.Double(-6, -6, 12, 12));
            renderer.setSeriesItemLabelPaint(s, ChartStyle.methodColor(colors.get(s)).darker());
        }
        return Optional.of(new ReportChart("accuracy.png", "Accuracy against trainable parameters",
                "Held-out accuracy after the last epoch (y) against the number of trainable parameters (x, log scale); "
                        + "up and to the left is better: more accuracy for fewer trained parameters.",
                chart));
    }
}
