package dev.peft4j.examples.compare;

import dev.peft4j.examples.compare.MethodResult.Memory;
import java.awt.Color;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.GroupedStackedBarRenderer;
import org.jfree.data.KeyToGroupMap;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Chart (c): memory over idle per method, MiB, as horizontal bars (long method labels fit). Two
 * bars per method: above, the accounted memory stacked by kind (gradients, optimizer state,
 * activations: the closed forms of {@code core.memory}); below, the measured peak resident set over
 * idle. Methods without a
 * memory measurement are left out.
 */
final class MemoryChart {

    static final String GRADIENTS = "gradients (accounted)";
    static final String OPTIMIZER = "optimizer state (accounted)";
    static final String ACTIVATIONS = "activations (accounted)";
    static final String MEASURED = "peak RSS over idle (measured)";

    private static final double MIB = 1024.0 * 1024.0;

    private MemoryChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method has a memory measurement
     */
    static Optional<ReportChart> of(CompareResults results) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (MethodResult m : results.methods()) {
            Memory memory = m.memory();
            if (!m.isOk() || memory == null) {
                continue;
            }
            dataset.addValue(memory.accountedGradientBytes() / MIB, GRADIENTS, m.method());
            dataset.addValue(memory.accountedOptimizerBytes() / MIB, OPTIMIZER, m.method());
            dataset.addValue(memory.accountedActivationBytes() / MIB, ACTIVATIONS, m.method());
            dataset.addValue(memory.measuredOverIdleBytes() / MIB, MEASURED, m.method());
        }
        if (dataset.getColumnCount() == 0) {
            return Optional.empty();
        }
        KeyToGroupMap groups = new KeyToGroupMap("accounted");
        groups.mapKeyToGroup(GRADIENTS, "accounted");
        groups.mapKeyToGroup(OPTIMIZER, "accounted");
        groups.mapKeyToGroup(ACTIVATIONS, "accounted");
        groups.mapKeyToGroup(MEASURED, "measured");
        GroupedStackedBarRenderer renderer = new GroupedStackedBarRenderer();
        renderer.setSeriesToGroupMap(groups);
        renderer.setItemMargin(0.05);
        CategoryAxis x = new CategoryAxis(null);
        x.setCategoryMargin(0.3);
        x.setMaximumCategoryLabelWidthRatio(0.3f);
        NumberAxis y = new NumberAxis("memory over idle (MiB)");
        CategoryPlot plot = new CategoryPlot(dataset, x, y, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        JFreeChart chart = ChartStyle.chart("Memory over idle by kind", plot, true);
        renderer.setSeriesPaint(0, new Color(0x4E79A7));
        renderer.setSeriesPaint(1, new Color(0xF28E2B));
        renderer.setSeriesPaint(2, new Color(0x76B7B2));
        renderer.setSeriesPaint(3, new Color(0x555555));
        return Optional.of(new ReportChart("memory.png", "Memory over idle by kind",
                "Memory each method's training needs beyond the loaded model, MiB. Upper bar of each pair: accounted "
                        + "gradients, optimizer state and activations (closed forms) stacked; lower bar: the peak "
                        + "resident set measured in the method's own JVM minus its resident set at idle.",
                chart));
    }
}
