package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.peft4j.core.io.HostTensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CosineStatsTest {

    private static HostTensor rows(int width, float... values) {
        return new HostTensor(new long[] {values.length / width, width}, values);
    }

    @Test
    void closedForms() {
        // rows: 45 degrees (1/sqrt 2), orthogonal (0), opposite (-1), scaled copy (1)
        CosineStats stats = CosineStats.of(rows(2, 1, 0, 0, 3, -2, 1, 4, 4), rows(2, 1, 1, 5, 0, 2, -1, 1, 1));
        double expectedMean = (1 / Math.sqrt(2) + 0 - 1 + 1) / 4;
        assertThat(stats.mean()).isCloseTo(expectedMean, within(1e-15));
        assertThat(stats.min()).isEqualTo(-1.0);
    }

    @Test
    void identicalRowsGiveExactlyOne() {
        SplittableRandom random = new SplittableRandom(1);
        float[] values = new float[384 * 50];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        CosineStats stats = CosineStats.of(rows(384, values), rows(384, values.clone()));
        assertThat(stats.mean()).isEqualTo(1.0);
        assertThat(stats.min()).isEqualTo(1.0);
    }

    @Test
    void undefinedCosinesAndShapeMismatchesAreErrors() {
        assertThatThrownBy(() -> CosineStats.of(rows(2, 1, 1, 0, 0), rows(2, 1, 1, 1, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the cosine of probe sentence 1 is undefined: squared norms 0.0 (trained) and 2.0 (base)");
        assertThatThrownBy(() -> CosineStats.of(rows(2, Float.NaN, 1), rows(2, 1, 1)))
                .hasMessageStartingWith("the cosine of probe sentence 0 is undefined");
        assertThatThrownBy(() -> CosineStats.of(rows(2, 1, 1), rows(1, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embeddings to compare must both be (n > 0, hidden), got [1, 2] and [2, 1]");
    }
}
