package dev.peft4j.examples.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;

/**
 * The report's common look: white backgrounds, light grey grid lines, DejaVu-friendly logical
 * fonts, the legend below the plot, and one colour per method (by its position in the
 * comparison, failed methods included, so a method keeps its colour in every chart).
 */
public final class ChartStyle {

    /** Tableau 10, a palette that stays distinguishable for common colour-vision deficiencies. */
    private static final List<Color> METHOD_COLORS = List.of(new Color(0x4E79A7), new Color(0xF28E2B),
            new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1),
            new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC));

    static final Color GRID = new Color(0xDDDDDD);
    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font ITEM_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    static {
        Headless.ensure();
    }

    private ChartStyle() {}

    /**
     * @param index the method's position in the comparison
     * @return its colour
     */
    public static Color methodColor(int index) {
        return METHOD_COLORS.get(Math.floorMod(index, METHOD_COLORS.size()));
    }

    /** @return a line stroke of the given width with round joins */
    public static BasicStroke stroke(float width) {
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    /**
     * Creates a chart around a plot in the report's style.
     *
     * @param title the chart title
     * @param plot the plot
     * @param legend whether to show the legend (below the plot)
     * @return the chart
     */
    public static JFreeChart chart(String title, Plot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, legend);
        StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
        theme.setExtraLargeFont(TITLE_FONT);
        theme.setLargeFont(LABEL_FONT);
        theme.setRegularFont(TICK_FONT);
        theme.setSmallFont(ITEM_FONT);
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(GRID);
        theme.setRangeGridlinePaint(GRID);
        theme.setShadowVisible(false);
        theme.setBarPainter(new StandardBarPainter());
        theme.setXYBarPainter(new StandardXYBarPainter());
        theme.apply(chart);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        plot.setOutlineVisible(false);
        LegendTitle legendTitle = chart.getLegend();
        if (legendTitle != null) {
            legendTitle.setPosition(RectangleEdge.BOTTOM);
            legendTitle.setFrame(BlockBorder.NONE);
        }
        return chart;
    }
}
