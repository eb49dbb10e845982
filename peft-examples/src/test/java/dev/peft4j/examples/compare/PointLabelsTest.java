package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.examples.compare.PointLabels.Point;
import dev.peft4j.examples.compare.PointLabels.Side;
import java.awt.Font;
import java.util.List;
import org.junit.jupiter.api.Test;

class PointLabelsTest {

    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    @Test
    void aLonePointIsLabelledAbove() {
        assertThat(PointLabels.place(List.of(new Point(400, 200, "lora")), FONT, 800, 400)).containsExactly(Side.ABOVE);
    }

    @Test
    void aPointAtTheTopEdgeIsLabelledBelowAndOneAtTheRightEdgeNotToTheRight() {
        assertThat(PointLabels.place(List.of(new Point(400, 5, "full")), FONT, 800, 400)).containsExactly(Side.BELOW);
        assertThat(PointLabels.place(List.of(new Point(795, 5, "full-fine-tuning")), FONT, 800, 400))
                .containsExactly(Side.LEFT);
    }

    @Test
    void neighboursDoNotShareASpot() {
        // bottleneck 12 px above lora-r16: a label above lora-r16 would cover the bottleneck point,
        // one below it would touch the lora-r8 point; to its right the spot is free.
        List<Side> sides = PointLabels.place(List.of(new Point(300, 100, "bottleneck"),
                new Point(298, 112, "lora-r16-dora-all-linear"), new Point(250, 116, "lora-r8")), FONT, 800, 400);

        assertThat(sides).containsExactly(Side.ABOVE, Side.RIGHT, Side.ABOVE);
    }
}
