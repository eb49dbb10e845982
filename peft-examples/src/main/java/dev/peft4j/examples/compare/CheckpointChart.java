package dev.peft4j.examples.compare;

import java.awt.Color;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Chart (d): checkpoint size on disk per method, the adapter checkpoint beside a full fp32
 * checkpoint of the model, bytes on a log-scaled axis (base 2, labelled in binary units). Methods
 * without checkpoint sizes are left out.
 */
final class CheckpointChart {

    static final String ADAPTER = "adapter checkpoint";
    static final String FULL = "full model checkpoint";

    private CheckpointChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method has checkpoint sizes
     */
    static Optional<ReportChart> of(CompareResults results) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        double smallest = Double.MAX_VALUE;
        for (MethodResult m : results.methods()) {
            if (!m.isOk() || m.checkpoint() == null || m.checkpoint().adapterBytes() <= 0
                    || m.checkpoint().fullModelBytes() <= 0) {
                continue;
            }
            dataset.addValue(m.checkpoint().adapterBytes(), ADAPTER, m.method());
            dataset.addValue(m.checkpoint().fullModelBytes(), FULL, m.method());
            smallest = Math.min(smallest, m.checkpoint().adapterBytes());
        }
        if (dataset.getColumnCount() == 0) {
            return Optional.empty();
        }
        LogAxis y = new LogAxis("bytes on disk (log scale)");
        y.setBase(2);
        y.setNumberFormatOverride(LabelFormat.bytes());
        y.setSmallestValue(1);
        y.setUpperMargin(0.12);
        BarRenderer renderer = new BarRenderer();
        // Bars grow from a quarter of the smallest size, so the smallest bar still shows.
        renderer.setBase(smallest / 4);
        renderer.setIncludeBaseInRange(true);
        renderer.setItemMargin(0.05);
        CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis("method"), y, renderer);
        JFreeChart chart = ChartStyle.chart("Checkpoint size", plot, true);
        renderer.setSeriesPaint(0, new Color(0x59A14F));
        renderer.setSeriesPaint(1, new Color(0xBAB0AC));
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                LabelFormat.bytes()));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.ITEM_FONT);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        return Optional.of(new ReportChart("checkpoint.png", "Checkpoint size",
                "Size on disk of each method's saved adapter (adapter_config.json + adapter_model.safetensors) "
                        + "beside a full fp32 checkpoint of the model, log scale: what you store and ship per task.",
                chart));
    }
}
