package dev.peft4j.examples.compare;

import dev.peft4j.examples.compare.MethodResult.Forgetting;
import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Chart (e): forgetting, as horizontal bars (long method labels fit). Per method the mean and the smallest cosine similarity between the
 * trained and the base model's sentence embeddings on text not in the task (1 = unchanged); the
 * category label says whether the base is intact with the adapter disabled ({@code base intact},
 * {@code base changed}, or {@code n/a} for full fine-tuning), a changed base in red. Methods without
 * a forgetting probe are left out.
 */
final class ForgettingChart {

    static final String MEAN = "mean cosine";
    static final String MIN = "smallest cosine";

    private ForgettingChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method has a forgetting probe
     */
    static Optional<ReportChart> of(CompareResults results) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        List<String> changed = new ArrayList<>();
        double lowest = 1;
        String corpus = null;
        for (MethodResult m : results.methods()) {
            Forgetting f = m.forgetting();
            if (!m.isOk() || f == null) {
                continue;
            }
            String label = m.method() + " (" + baseLabel(ReportTable.baseIntactFlag(f)) + ")";
            if (Boolean.FALSE.equals(ReportTable.baseIntactFlag(f))) {
                changed.add(label);
            }
            dataset.addValue(f.meanCosine(), MEAN, label);
            dataset.addValue(f.minCosine(), MIN, label);
            lowest = Math.min(lowest, f.minCosine());
            corpus = corpus == null ? f.corpus() : corpus;
        }
        if (dataset.getColumnCount() == 0) {
            return Optional.empty();
        }
        CategoryAxis x = new CategoryAxis(null);
        x.setMaximumCategoryLabelLines(2);
        x.setMaximumCategoryLabelWidthRatio(0.3f);
        x.setCategoryMargin(0.25);
        NumberAxis y = new NumberAxis("cosine similarity to the base model's embeddings");
        double span = Math.max(1e-3, 1 - lowest);
        y.setRange(Math.max(-1, lowest - 0.15 * span), 1 + 0.2 * span);
        // Headroom above 1 holds the bars' value labels; cosines cannot exceed 1, so no tick is labelled there.
        y.setNumberFormatOverride(LabelFormat.decimalsUpTo(span < 0.02 ? 4 : 2, 1));
        BarRenderer renderer = new BarRenderer();
        renderer.setBase(Math.max(-1, lowest - 0.15 * span));
        renderer.setItemMargin(0.05);
        CategoryPlot plot = new CategoryPlot(dataset, x, y, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        JFreeChart chart = ChartStyle.chart("Forgetting on text not in the task", plot, true);
        TextTitle subtitle = new TextTitle("in brackets: with the adapter disabled, is the base model bit-identical?",
                ChartStyle.ITEM_FONT);
        subtitle.setPaint(Color.DARK_GRAY);
        chart.addSubtitle(subtitle);
        ValueMarker unchanged = new ValueMarker(1, Color.GRAY, ChartStyle.stroke(1f));
        unchanged.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        unchanged.setLabel("1 = unchanged");
        unchanged.setLabelFont(ChartStyle.ITEM_FONT);
        unchanged.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        unchanged.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addRangeMarker(unchanged, Layer.BACKGROUND);
        for (String label : changed) {
            x.setTickLabelPaint(label, new Color(0xC0392B));
        }
        renderer.setSeriesPaint(0, new Color(0x4E79A7));
        renderer.setSeriesPaint(1, new Color(0xA0CBE8));
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                new DecimalFormat("0.0000", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.ITEM_FONT);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        String source = corpus == null ? "general English text" : corpus;
        return Optional.of(new ReportChart("forgetting.png", "Forgetting on text not in the task",
                "Cosine similarity between the trained and the original model's sentence embeddings on " + source
                        + " (1 = nothing moved; mean and smallest over the sentences). In brackets: with the adapter "
                        + "disabled, whether the base model's embeddings and logits are bit-identical to before training.",
                chart));
    }

    private static String baseLabel(Boolean intact) {
        return intact == null ? "n/a" : intact ? "base intact" : "base changed";
    }
}
