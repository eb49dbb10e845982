package dev.peft4j.examples.compare;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.ui.TextAnchor;

/**
 * Places the text labels of a scatter plot's points so they overlap neither each other nor other
 * points: each label goes above its point if that spot is free, else below, right or left, else
 * where it overlaps least (greedy, points taken left to right). Works in the plot area's pixels,
 * estimated from the chart size; JFreeChart itself never moves a label out of the way.
 */
final class PointLabels {

    /** Where a label sits relative to its point. */
    enum Side {
        ABOVE(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER)),
        BELOW(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE6, TextAnchor.TOP_CENTER)),
        RIGHT(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT)),
        LEFT(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE9, TextAnchor.CENTER_RIGHT));

        final ItemLabelPosition position;

        Side(ItemLabelPosition position) {
            this.position = position;
        }
    }

    /**
     * A point in plot-area pixels (y grows downwards) and its label.
     *
     * @param x horizontal position, pixels from the plot's left edge
     * @param y vertical position, pixels from the plot's top edge
     * @param label the text drawn beside it
     */
    record Point(double x, double y, String label) {}

    /** Half the drawn marker's size plus the gap JFreeChart leaves between marker and label (pixels). */
    static final double OFFSET = 9;

    private PointLabels() {}

    /**
     * @param points the points, in any order
     * @param font the labels' font
     * @param width the plot area's width, pixels
     * @param height the plot area's height, pixels
     * @return one side per point, in the order given
     */
    static List<Side> place(List<Point> points, Font font, double width, double height) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        FontMetrics metrics = g.getFontMetrics(font);
        g.dispose();
        List<Rectangle2D> obstacles = new ArrayList<>();
        for (Point p : points) {
            obstacles.add(new Rectangle2D.Double(p.x() - OFFSET + 2, p.y() - OFFSET + 2, 2 * OFFSET - 4, 2 * OFFSET - 4));
        }
        Rectangle2D plot = new Rectangle2D.Double(0, 0, width, height);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(points.get(a).x(), points.get(b).x()));
        Side[] sides = new Side[points.size()];
        for (int i : order) {
            Point p = points.get(i);
            double w = metrics.stringWidth(p.label());
            double h = metrics.getAscent() + metrics.getDescent();
            Side best = Side.ABOVE;
            double bestCost = Double.MAX_VALUE;
            Rectangle2D bestBox = null;
            for (Side side : Side.values()) {
                Rectangle2D box = box(p, side, w, h);
                double cost = 0;
                for (int j = 0; j < obstacles.size(); j++) {
                    if (j != i) {
                        cost += overlap(box, obstacles.get(j));
                    }
                }
                cost += w * h - overlap(box, plot);
                if (cost < bestCost) {
                    best = side;
                    bestCost = cost;
                    bestBox = box;
                }
                if (cost == 0) {
                    break;
                }
            }
            sides[i] = best;
            obstacles.add(bestBox);
        }
        return List.of(sides);
    }

    private static Rectangle2D box(Point p, Side side, double w, double h) {
        return switch (side) {
            case ABOVE -> new Rectangle2D.Double(p.x() - w / 2, p.y() - OFFSET - h, w, h);
            case BELOW -> new Rectangle2D.Double(p.x() - w / 2, p.y() + OFFSET, w, h);
            case RIGHT -> new Rectangle2D.Double(p.x() + OFFSET, p.y() - h / 2, w, h);
            case LEFT -> new Rectangle2D.Double(p.x() - OFFSET - w, p.y() - h / 2, w, h);
        };
    }

    private static double overlap(Rectangle2D a, Rectangle2D b) {
        Rectangle2D common = a.createIntersection(b);
        return common.isEmpty() ? 0 : common.getWidth() * common.getHeight();
    }
}
