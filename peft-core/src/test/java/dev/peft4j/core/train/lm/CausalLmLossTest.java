package dev.peft4j.core.train.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class CausalLmLossTest {

    private static final float[][][] LOGITS = {
            {{1, 2, 3}, {0, 0, 0}, {5, -1, 2}},
            {{2, 0, 1}, {-1, 3, 0}, {0.5f, 0.5f, 4}}};
    // row 0: predicts 2 from position 0 and 1 from position 1; row 1: ignores its second target
    private static final long[][] LABELS = {{7 % 3, 2, 1}, {0, 1, -100}};

    private static double logSumExp(double... values) {
        double sum = 0;
        for (double v : values) {
            sum += Math.exp(v);
        }
        return Math.log(sum);
    }

    static NDArray create(NDManager manager, float[][][] values) {
        int b = values.length;
        int s = values[0].length;
        int v = values[0][0].length;
        float[] flat = new float[b * s * v];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < s; j++) {
                System.arraycopy(values[i][j], 0, flat, (i * s + j) * v, v);
            }
        }
        return manager.create(flat, new Shape(b, s, v));
    }

    @Test
    void meanIsTheShiftedCrossEntropyOverCountedTokens() {
        double first = logSumExp(1, 2, 3) - 3; // logits[0,0] -> label 2
        double second = logSumExp(0, 0, 0) - 0; // logits[0,1] -> label 1
        double third = logSumExp(2, 0, 1) - 0; // logits[1,0] -> label 1
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = create(manager, LOGITS);
            NDArray labels = manager.create(LABELS);
            assertThat(CausalLmLoss.countedTokens(labels)).isEqualTo(3);
            assertThat(CausalLmLoss.countedTokens(LABELS)).isEqualTo(3);
            float[] perToken = CausalLmLoss.perToken(logits, labels).toFloatArray();
            assertThat(perToken).hasSize(4);
            assertThat((double) perToken[0]).isCloseTo(first, within(1e-6));
            assertThat((double) perToken[1]).isCloseTo(second, within(1e-6));
            assertThat((double) perToken[2]).isCloseTo(third, within(1e-6));
            assertThat(perToken[3]).isZero();
            // mean over the 3 counted tokens, not over rows ((first + second) / 2 + third) / 2
            assertThat((double) CausalLmLoss.mean(logits, labels).getFloat()).isCloseTo((first + second + third) / 3, within(1e-6));
            assertThat((double) CausalLmLoss.sum(logits, labels).getFloat()).isCloseTo(first + second + third, within(1e-5));
        }
    }

    @Test
    void ignoredPositionsAndTheLastPositionGetNoGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = create(manager, LOGITS);
            logits.setRequiresGradient(true);
            NDArray labels = manager.create(LABELS);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(CausalLmLoss.mean(logits, labels));
            }
            float[] gradient = logits.getGradient().toFloatArray();
            // d mean / d logits[b, t] = (softmax(logits[b, t]) - onehot(label[b, t + 1])) / 3 where counted
            int[][] target = {{2, 1, -1}, {1, -1, -1}};
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 3; t++) {
                    double lse = logSumExp(LOGITS[b][t][0], LOGITS[b][t][1], LOGITS[b][t][2]);
                    for (int v = 0; v < 3; v++) {
                        double expected = target[b][t] < 0 ? 0
                                : (Math.exp(LOGITS[b][t][v] - lse) - (v == target[b][t] ? 1 : 0)) / 3;
                        float actual = gradient[(b * 3 + t) * 3 + v];
                        if (expected == 0) {
                            assertThat(actual).as("gradient at (%d, %d, %d)", b, t, v).isZero();
                        } else {
                            assertThat((double) actual).as("gradient at (%d, %d, %d)", b, t, v).isCloseTo(expected, within(1e-6));
                        }
                    }
                }
            }
        }
    }

    @Test
    void badShapesLabelsAndEmptyTargetsAreNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = create(manager, LOGITS);
            assertThatThrownBy(() -> CausalLmLoss.mean(logits, manager.create(new long[][] {{0, 1}, {0, 1}})))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("logits must be (batch, seq, vocab) and labels (batch, seq), got (2, 3, 3) and (2, 2)");
            assertThatThrownBy(() -> CausalLmLoss.mean(logits, manager.create(new long[][] {{0, 1, 2}, {0, 3, -100}})))
                    .hasMessage("label 3 at (1, 1) is outside [0, 3) and not the ignore index -100");
            assertThatThrownBy(() -> CausalLmLoss.mean(logits, manager.create(new long[][] {{0, -1, 2}, {0, 1, 1}})))
                    .hasMessage("label -1 at (0, 1) is outside [0, 3) and not the ignore index -100");
            assertThatThrownBy(() -> CausalLmLoss.mean(logits, manager.create(new long[][] {{0, -100, -100}, {1, -100, -100}})))
                    .hasMessage("no label is counted: every shifted label is -100 (a row needs two or more tokens)");
            assertThatThrownBy(() -> CausalLmLoss.mean(create(manager, new float[][][] {{{1, 2}}}), manager.create(new long[][] {{1}})))
                    .hasMessage("a causal-LM loss needs seq >= 2 (one input and one target), got seq 1");
        }
    }
}
