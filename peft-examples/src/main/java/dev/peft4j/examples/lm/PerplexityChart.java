package dev.peft4j.examples.lm;

import dev.peft4j.examples.compare.ChartStyle;
import dev.peft4j.examples.compare.ReportChart;
import java.util.Optional;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Held-out perplexities per method as grouped bars: fortunes before and after (adaptation), Moby
 * Dick with the adapter enabled (forgetting) and disabled (the base intact), beside the base's Moby
 * Dick perplexity.
 */
final class PerplexityChart {

    private PerplexityChart() {}

    /**
     * @param results a comparison
     * @return the chart, empty when no method finished
     */
    static Optional<ReportChart> of(LmCompareResults results) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (LmMethodResult m : results.methods()) {
            if (!m.isOk()) {
                continue;
            }
            dataset.addValue(m.fortunesPerplexityBefore(), "fortunes, base", m.method());
            dataset.addValue(m.fortunesPerplexity(), "fortunes, adapted", m.method());
            dataset.addValue(m.mobyDickPerplexityBase(), "Moby Dick, base", m.method());
            dataset.addValue(m.mobyDickPerplexity(), "Moby Dick, adapted", m.method());
            if (m.mobyDickPerplexityDisabled() != null) {
                dataset.addValue(m.mobyDickPerplexityDisabled(), "Moby Dick, adapter disabled", m.method());
            }
        }
        if (dataset.getColumnCount() == 0) {
            return Optional.empty();
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int s = 0; s < dataset.getRowCount(); s++) {
            renderer.setSeriesPaint(s, ChartStyle.methodColor(s));
        }
        NumberAxis y = new NumberAxis("held-out perplexity per byte");
        CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis("method"), y, renderer);
        return Optional.of(new ReportChart("perplexity.png", "Held-out perplexity",
                "Perplexity per byte on held-out text (lower is better): the new domain (fortunes) before and after adaptation, "
                        + "and Moby Dick, the pre-training domain, for the base, the adapted model (forgetting) and the adapted "
                        + "model with its adapter disabled (equal to the base for every PEFT method).",
                ChartStyle.chart("Held-out perplexity", plot, true)));
    }
}
