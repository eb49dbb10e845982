package dev.peft4j.examples.compare;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import org.jfree.chart.ChartUtils;

/**
 * A chart drawn as PNG, headless: {@link #WIDTH} x {@link #HEIGHT} CSS pixels drawn at
 * {@link #SCALE}x, so the image is sharp on high-density screens.
 *
 * @param chart the chart drawn
 * @param png the PNG file's bytes
 */
public record ChartPng(ReportChart chart, byte[] png) {

    /** Display width, CSS pixels. */
    public static final int WIDTH = 900;
    /** Display height, CSS pixels. */
    public static final int HEIGHT = 500;
    /** Device pixels per CSS pixel. */
    static final int SCALE = 2;

    static {
        Headless.ensure();
    }

    /**
     * @param chart the chart to draw
     * @return its PNG, {@code WIDTH * SCALE} x {@code HEIGHT * SCALE} pixels
     * @throws IOException if PNG encoding fails
     */
    public static ChartPng draw(ReportChart chart) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH * SCALE, HEIGHT * SCALE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.scale(SCALE, SCALE);
            chart.chart().draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        } finally {
            g.dispose();
        }
        return new ChartPng(chart, ChartUtils.encodeAsPNG(image));
    }
}
