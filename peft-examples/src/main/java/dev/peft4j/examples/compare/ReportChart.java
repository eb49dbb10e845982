package dev.peft4j.examples.compare;

import org.jfree.chart.JFreeChart;

/**
 * One chart of the report before it is drawn.
 *
 * @param fileName the PNG's name under {@code charts/} ({@code loss.png})
 * @param title the figure's heading (also the image's alt text)
 * @param caption what the chart shows and how to read it, plain text
 * @param chart the JFreeChart to draw
 */
public record ReportChart(String fileName, String title, String caption, JFreeChart chart) {}
