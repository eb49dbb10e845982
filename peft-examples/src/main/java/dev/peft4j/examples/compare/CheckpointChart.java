package dev.peft4j.examples.compare;

import java.awt.Color;
import java.util.Optional;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Chart (d): checkpoint size on disk per method as horizontal bars on a log-scaled axis (base 2,
 * labelled in binary units), each bar labelled with its size; a vertical line marks the full fp32
 * model checkpoint (one line per distinct full-model size, normally one). Methods without
 * checkpoint sizes are left out.
 */
final class CheckpointChart {

    static final String ADAPTER = "adapter checkpoint";

    private CheckpointChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method has checkpoint sizes
     */
    static Optional<ReportChart> of(CompareResults results) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        TreeSet<Long> fullSizes = new TreeSet<>();
        double smallest = Double.MAX_VALUE;
        for (MethodResult m : results.methods()) {
            if (!m.isOk() || m.checkpoint() == null || m.checkpoint().adapterBytes() <= 0
                    || m.checkpoint().fullModelBytes() <= 0) {
                continue;
            }
            dataset.addValue(m.checkpoint().adapterBytes(), ADAPTER, m.method());
            fullSizes.add(m.checkpoint().fullModelBytes());
            smallest = Math.min(smallest, m.checkpoint().adapterBytes());
        }
        if (dataset.getColumnCount() == 0) {
            return Optional.empty();
        }
        LogAxis y = new LogAxis("bytes on disk (log scale)");
        y.setBase(2);
        y.setNumberFormatOverride(LabelFormat.bytes());
        y.setSmallestValue(1);
        y.setUpperMargin(0.25);
        BarRenderer renderer = new BarRenderer();
        // Bars grow from a quarter of the smallest size, so the smallest bar still shows.
        renderer.setBase(smallest / 4);
        renderer.setIncludeBaseInRange(true);
        CategoryAxis x = new CategoryAxis(null);
        x.setMaximumCategoryLabelWidthRatio(0.3f);
        x.setCategoryMargin(0.25);
        CategoryPlot plot = new CategoryPlot(dataset, x, y, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        JFreeChart chart = ChartStyle.chart("Checkpoint size", plot, false);
        for (long full : fullSizes) {
            ValueMarker marker = new ValueMarker(full, new Color(0x555555), ChartStyle.stroke(1.5f));
            marker.setLabel("full model " + ReportFormat.bytes(full));
            marker.setLabelFont(ChartStyle.ITEM_FONT);
            marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addRangeMarker(marker);
        }
        renderer.setSeriesPaint(0, new Color(0x59A14F));
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", LabelFormat.bytes()));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.ITEM_FONT);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        return Optional.of(new ReportChart("checkpoint.png", "Checkpoint size",
                "Size on disk of each method's saved adapter (adapter_config.json + adapter_model.safetensors), "
                        + "log scale; the vertical line is a full fp32 checkpoint of the model: what you would store "
                        + "and ship per task without PEFT.",
                chart));
    }
}
