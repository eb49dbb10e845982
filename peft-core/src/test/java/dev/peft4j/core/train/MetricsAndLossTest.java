package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class MetricsAndLossTest {

    @Test
    void macroF1CountsAClassThatIsOnlyPredictedAsZero() {
        // rows: label, columns: prediction
        long[][] confusion = {{5, 1, 0}, {2, 3, 1}, {0, 0, 0}};
        ClassificationMetrics metrics = ClassificationMetrics.fromConfusion(confusion);
        // class 0: tp 5, fp 2, fn 1 -> 10/13; class 1: tp 3, fp 1, fn 3 -> 6/10; class 2: tp 0, fp 1 -> 0
        assertThat(metrics.accuracy()).isEqualTo(8.0 / 12);
        assertThat(metrics.macroF1()).isCloseTo((10.0 / 13 + 0.6 + 0) / 3, within(1e-12));
        assertThat(metrics.count()).isEqualTo(12);
    }

    @Test
    void macroF1SkipsAClassThatNeverOccurs() {
        int[] labels = {0, 0, 1, 1};
        int[] predictions = {0, 0, 0, 1};
        ClassificationMetrics metrics = ClassificationMetrics.of(3, labels, predictions);
        assertThat(metrics.confusion()).isEqualTo(new long[][] {{2, 0, 0}, {1, 1, 0}, {0, 0, 0}});
        // class 0: 2*2 / (4 + 1) = 0.8; class 1: 2 / (2 + 1) = 2/3; class 2 absent (as scikit-learn)
        assertThat(metrics.macroF1()).isCloseTo((0.8 + 2.0 / 3) / 2, within(1e-12));
        assertThat(metrics.accuracy()).isEqualTo(0.75);
    }

    @Test
    void badInputsAreNamed() {
        assertThatThrownBy(() -> ClassificationMetrics.of(2, new int[] {0, 2}, new int[] {0, 1}))
                .hasMessage("label 2 is outside [0, 2)");
        assertThatThrownBy(() -> ClassificationMetrics.of(2, new int[] {0}, new int[] {0, 1}))
                .hasMessage("got 1 labels but 2 predictions");
        assertThat(ClassificationMetrics.of(2, new int[0], new int[0]).accuracy()).isNaN();
    }

    @Test
    void crossEntropyIsMinusLogSoftmaxOfTheLabel() {
        try (NDManager manager = NDManager.newBaseManager()) {
            var logits = manager.create(new float[][] {{1, 2, 3}, {0, 0, 0}});
            var labels = manager.create(new long[] {2, 1});
            float[] perExample = CrossEntropy.perExample(logits, labels).toFloatArray();
            double first = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
            double second = Math.log(3);
            assertThat((double) perExample[0]).isCloseTo(first, within(1e-6));
            assertThat((double) perExample[1]).isCloseTo(second, within(1e-6));
            assertThat((double) CrossEntropy.mean(logits, labels).getFloat()).isCloseTo((first + second) / 2, within(1e-6));
        }
    }
}
