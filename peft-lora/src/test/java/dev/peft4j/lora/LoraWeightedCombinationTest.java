package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.target.TargetModules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/**
 * {@link LoraWeightedCombination} against closed forms: {@code cat} is exactly
 * {@code sum_i w_i s_i B_i A_i}; {@code linear} is {@code (sum_i c_i B_i)(sum_j c'_j A_j)} and differs
 * from that sum; {@code svd} is the best rank-r approximation (Frobenius error from the eigenvalues of
 * {@code delta^T delta}, computed independently of the SVD).
 */
class LoraWeightedCombinationTest {

    static final String Q = "encoder.layer.0.attention.self.query";
    static final String V = "encoder.layer.0.attention.self.value";
    static final int IN = 6;
    static final int OUT = 5;

    /** Random factors {@code A (r, in)}, {@code B (out, r)} for each path, keyed as HF saves them. */
    static Map<String, HostTensor> factors(long seed, int rank, String... paths) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (String path : paths) {
            tensors.put("base_model.model." + path + ".lora_A.weight", random(random, rank, IN));
            tensors.put("base_model.model." + path + ".lora_B.weight", random(random, OUT, rank));
        }
        return tensors;
    }

    static HostTensor random(SplittableRandom random, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return new HostTensor(new long[] {rows, cols}, values);
    }

    static RealMatrix matrix(HostTensor tensor) {
        long[] shape = tensor.shape();
        RealMatrix m = MatrixUtils.createRealMatrix((int) shape[0], (int) shape[1]);
        for (int r = 0; r < shape[0]; r++) {
            for (int c = 0; c < shape[1]; c++) {
                m.setEntry(r, c, tensor.values()[r * (int) shape[1] + c]);
            }
        }
        return m;
    }

    static RealMatrix a(Map<String, HostTensor> tensors, String path) {
        return matrix(tensors.get("base_model.model." + path + ".lora_A.weight"));
    }

    static RealMatrix b(Map<String, HostTensor> tensors, String path) {
        return matrix(tensors.get("base_model.model." + path + ".lora_B.weight"));
    }

    /** {@code B A} of a combined adapter (its scaling is 1). */
    static RealMatrix delta(LoraCombinedAdapter combined, String path) {
        assertThat(combined.config().loraAlpha()).isEqualTo((double) combined.config().r());
        return b(combined.tensors(), path).multiply(a(combined.tensors(), path));
    }

    static RealMatrix weightedDelta(LoraWeightedSource source, String path, double scaling) {
        return b(source.tensors(), path).multiply(a(source.tensors(), path)).scalarMultiply(source.weight() * scaling);
    }

    static double maxAbs(RealMatrix m) {
        double max = 0;
        for (double[] row : m.getData()) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    static LoraConfig config(int r, double alpha, boolean rslora, String... targets) {
        return LoraConfig.builder().r(r).loraAlpha(alpha).useRslora(rslora).targetModules(targets).build();
    }

    // a: r 4, alpha 8 -> s 2; b: r 2, alpha 4, rsLoRA -> s 4 / sqrt(2)
    final LoraWeightedSource a = new LoraWeightedSource("a", config(4, 8, false, "query", "value"), factors(1, 4, Q, V), 0.7);
    final LoraWeightedSource b = new LoraWeightedSource("b", config(2, 4, true, "query", "value"), factors(2, 2, Q, V), -1.3);
    final double sa = 2.0;
    final double sb = 4 / Math.sqrt(2);

    @Test
    void catIsExactlyTheWeightedSumOfTheScaledUpdates() {
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(a, b), "cat", null, null);

        assertThat(combined.config().r()).isEqualTo(6);
        assertThat(combined.config().loraAlpha()).isEqualTo(6.0);
        assertThat(combined.config().useRslora()).isFalse();
        assertThat(combined.tensors().get("base_model.model." + Q + ".lora_A.weight").shape()).containsExactly(6, IN);
        assertThat(combined.tensors().get("base_model.model." + Q + ".lora_B.weight").shape()).containsExactly(OUT, 6);
        for (String path : List.of(Q, V)) {
            RealMatrix expected = weightedDelta(a, path, sa).add(weightedDelta(b, path, sb));
            assertThat(maxAbs(delta(combined, path).subtract(expected))).isLessThan(1e-5);
        }
        // HF's layout: A rows [w_a s_a A_a; w_b s_b A_b], B columns [B_a, B_b]
        RealMatrix newA = a(combined.tensors(), Q);
        assertThat(newA.getEntry(5, 0)).isCloseTo(-1.3 * sb * a(b.tensors(), Q).getEntry(1, 0), within(1e-5));
        assertThat(b(combined.tensors(), Q).getEntry(0, 4)).isCloseTo(b(b.tensors(), Q).getEntry(0, 0), within(0.0));
    }

    @Test
    void linearIsTheProductOfTheSummedFactorsNotTheWeightedSum() {
        LoraWeightedSource b4 = new LoraWeightedSource("b", config(4, 4, true, "query", "value"), factors(2, 4, Q, V), -1.3);
        double sb4 = 4 / Math.sqrt(4);
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(a, b4), "linear", null, null);

        assertThat(combined.config().r()).isEqualTo(4);
        assertThat(combined.config().loraAlpha()).isEqualTo(4.0);
        double ca = Math.sqrt(0.7 * sa);
        double cb = Math.sqrt(1.3 * sb4);
        RealMatrix sumB = b(a.tensors(), Q).scalarMultiply(ca).add(b(b4.tensors(), Q).scalarMultiply(cb));
        RealMatrix sumA = a(a.tensors(), Q).scalarMultiply(ca).add(a(b4.tensors(), Q).scalarMultiply(-cb));
        RealMatrix actual = delta(combined, Q);
        assertThat(maxAbs(actual.subtract(sumB.multiply(sumA)))).isLessThan(1e-5);
        RealMatrix weightedSum = weightedDelta(a, Q, sa).add(weightedDelta(b4, Q, sb4));
        assertThat(maxAbs(actual.subtract(weightedSum))).as("cross terms").isGreaterThan(0.1);
    }

    @Test
    void linearRefusesDifferentRanks() {
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, b), "linear", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("combination_type 'linear' needs adapters of equal rank, got r {a=4, b=2}; "
                        + "use 'cat' or 'svd' to combine different ranks");
    }

    @Test
    void svdWithEnoughRankIsExact() {
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(a, b), "svd", 6, null);

        assertThat(combined.config().r()).isEqualTo(6);
        for (String path : List.of(Q, V)) {
            RealMatrix expected = weightedDelta(a, path, sa).add(weightedDelta(b, path, sb));
            assertThat(maxAbs(delta(combined, path).subtract(expected))).isLessThan(1e-4);
        }
    }

    @Test
    void svdIsTheBestRankRApproximation() {
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(a, b), "svd", 3, null);

        RealMatrix expected = weightedDelta(a, Q, sa).add(weightedDelta(b, Q, sb));
        double[] eigen = new EigenDecomposition(expected.transpose().multiply(expected)).getRealEigenvalues();
        double[] squared = Arrays.stream(eigen).map(v -> -Math.max(v, 0)).sorted().map(v -> -v).toArray();
        double dropped = 0;
        for (int k = 3; k < squared.length; k++) {
            dropped += squared[k];
        }
        double error = delta(combined, Q).subtract(expected).getFrobeniusNorm();
        assertThat(error).isCloseTo(Math.sqrt(dropped), within(1e-4));
        assertThat(error).isGreaterThan(1e-2);
        RealMatrix vh = a(combined.tensors(), Q);
        assertThat(maxAbs(vh.multiply(vh.transpose()).subtract(MatrixUtils.createRealIdentityMatrix(3))))
                .as("A = Vh_r has orthonormal rows").isLessThan(1e-5);
    }

    @Test
    void svdRankDefaultsToTheLargestSourceRank() {
        assertThat(LoraWeightedCombination.combine(List.of(a, b), "svd", null, null).config().r()).isEqualTo(4);
    }

    @Test
    void svdClampClipsAtTheQuantileOfBothFactors() {
        LoraCombinedAdapter plain = LoraWeightedCombination.combine(List.of(a, b), "svd", 3, null);
        LoraCombinedAdapter clamped = LoraWeightedCombination.combine(List.of(a, b), "svd", 3, 0.9);

        RealMatrix plainB = b(plain.tensors(), Q);
        RealMatrix plainA = a(plain.tensors(), Q);
        double hi = LoraTruncatedSvd.quantile(plainB, plainA, 0.9);
        RealMatrix clampedB = b(clamped.tensors(), Q);
        for (int r = 0; r < OUT; r++) {
            for (int c = 0; c < 3; c++) {
                assertThat(clampedB.getEntry(r, c)).isCloseTo(Math.max(-hi, Math.min(hi, plainB.getEntry(r, c))), within(1e-6));
            }
        }
        assertThat(maxAbs(clampedB)).isCloseTo(hi, within(1e-6));
        assertThat(maxAbs(plainB)).isGreaterThan(hi);
    }

    @Test
    void quantileInterpolatesLinearlyAsTorch() {
        RealMatrix b = MatrixUtils.createRealMatrix(new double[][] {{5, 1}});
        RealMatrix a = MatrixUtils.createRealMatrix(new double[][] {{3}, {2}, {4}});
        assertThat(LoraTruncatedSvd.quantile(b, a, 0.5)).isEqualTo(3.0);
        assertThat(LoraTruncatedSvd.quantile(b, a, 0.9)).isCloseTo(4.6, within(1e-12));
        assertThat(LoraTruncatedSvd.quantile(b, a, 1.0)).isEqualTo(5.0);
    }

    @Test
    void oneSourceIsLinearAndReproducesItsWeightedUpdate() {
        for (String type : List.of("linear", "cat", "svd")) {
            LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(b), type, null, null);
            assertThat(combined.config().r()).isEqualTo(2);
            assertThat(maxAbs(delta(combined, V).subtract(weightedDelta(b, V, sb)))).as(type).isLessThan(1e-5);
        }
    }

    @Test
    void differentTargetsCombineOverTheUnion() {
        LoraWeightedSource query = new LoraWeightedSource("q", config(4, 8, false, "query"), factors(3, 4, Q), 0.5);
        LoraWeightedSource value = new LoraWeightedSource("v", config(2, 2, false, "value"), factors(4, 2, V), 2.0);
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(query, value), "cat", null, null);

        assertThat(combined.config().targetModules()).isEqualTo(TargetModules.names("query", "value"));
        assertThat(combined.config().r()).isEqualTo(6);
        assertThat(maxAbs(delta(combined, Q).subtract(weightedDelta(query, Q, 2.0)))).isLessThan(1e-5);
        assertThat(maxAbs(delta(combined, V).subtract(weightedDelta(value, V, 1.0)))).isLessThan(1e-5);
        // the module only 'q' adapts keeps zero rows for 'v''s share
        assertThat(maxAbs(a(combined.tensors(), Q).getSubMatrix(4, 5, 0, IN - 1))).isZero();
    }

    @Test
    void regexTargetsJoinAsHf() {
        LoraWeightedSource query = new LoraWeightedSource("q",
                LoraConfig.builder().r(2).targetModules(TargetModules.regex(".*query")).build(), factors(3, 2, Q), 1.0);
        LoraWeightedSource value = new LoraWeightedSource("v",
                LoraConfig.builder().r(2).targetModules(TargetModules.regex(".*value")).build(), factors(4, 2, V), 1.0);
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(query, value), "svd", null, null);
        assertThat(combined.config().targetModules()).isEqualTo(TargetModules.regex("(.*query)|(.*value)"));
    }

    @Test
    void narrowedOrMixedSelectionsListTheAdaptedPaths() {
        LoraWeightedSource query = new LoraWeightedSource("q",
                LoraConfig.builder().r(2).targetModules("query").layersToTransform(List.of(0)).build(), factors(3, 2, Q), 1.0);
        LoraWeightedSource value = new LoraWeightedSource("v",
                LoraConfig.builder().r(2).targetModules(TargetModules.regex(".*value")).build(), factors(4, 2, V), 1.0);
        LoraConfig config = LoraWeightedCombination.combine(List.of(query, value), "cat", null, null).config();
        assertThat(config.targetModules()).isEqualTo(TargetModules.names(Q, V));
        assertThat(config.layersToTransform()).isNull();
    }

    @Test
    void rankPatternRanksArePaddedWithZeros() {
        LoraConfig patterned = LoraConfig.builder().r(2).loraAlpha(4).targetModules("query", "value")
                .rankPattern(Map.of("value", 4)).alphaPattern(Map.of("value", 2.0)).build();
        Map<String, HostTensor> tensors = new LinkedHashMap<>(factors(5, 2, Q));
        tensors.putAll(factors(6, 4, V));
        LoraWeightedSource source = new LoraWeightedSource("p", patterned, tensors, 1.5);
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(List.of(source, a), "cat", null, null);

        assertThat(combined.config().r()).isEqualTo(8);
        assertThat(combined.config().rankPattern()).isEmpty();
        assertThat(combined.config().alphaPattern()).isEmpty();
        assertThat(maxAbs(delta(combined, Q).subtract(weightedDelta(source, Q, 2.0).add(weightedDelta(a, Q, sa)))))
                .isLessThan(1e-5);
        assertThat(maxAbs(delta(combined, V).subtract(weightedDelta(source, V, 0.5).add(weightedDelta(a, V, sa)))))
                .isLessThan(1e-5);
    }

    @Test
    void headSavedByOneSourceIsCarriedByTwoRefused() {
        Map<String, HostTensor> withHead = new LinkedHashMap<>(factors(1, 4, Q, V));
        HostTensor head = new HostTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        withHead.put("base_model.model.classifier.weight", head);
        LoraWeightedSource headed = new LoraWeightedSource("h", config(4, 8, false, "query", "value"), withHead, 1.0);
        assertThat(LoraWeightedCombination.combine(List.of(headed, b), "cat", null, null).tensors())
                .containsEntry("base_model.model.classifier.weight", head);

        LoraWeightedSource other = new LoraWeightedSource("h2", headed.config(), withHead, 1.0);
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(headed, other), "cat", null, null))
                .hasMessage("adapters 'h' and 'h2' both save 'base_model.model.classifier.weight' (modules_to_save); as in HF PEFT,"
                        + " adapters that save the same module cannot be combined");
    }

    @Test
    void badInputFailsWithClearMessages() {
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(), "cat", null, null))
                .hasMessage("add_weighted_adapter needs at least one adapter, got none");
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, b), "ties", null, null))
                .hasMessage("unknown combination_type 'ties'; known: [linear, cat, svd]");
        assertThatThrownBy(() -> new LoraWeightedSource("a", a.config(), a.tensors(), Double.NaN))
                .hasMessage("weight for adapter 'a' must be a finite number, got NaN");
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, a), "cat", null, null))
                .hasMessage("adapter 'a' is listed twice");
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, b), "cat", 4, null))
                .hasMessage("svd_rank applies to combination_type 'svd' only, got 'cat'");
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, b), "svd", 0, null))
                .hasMessage("svd_rank must be > 0, got 0");
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, b), "svd", null, 1.5))
                .hasMessage("svd_clamp must be in [0, 1], got 1.5");
        LoraWeightedSource dora = new LoraWeightedSource("d", a.config().toBuilder().useDora(true).build(), a.tensors(), 1);
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(b, dora), "cat", null, null))
                .hasMessage("adapter 'd' uses DoRA (use_dora: true); add_weighted_adapter combines plain LoRA adapters only:"
                        + " a DoRA magnitude vector cannot be folded into A and B");
        LoraWeightedSource biased = new LoraWeightedSource("x", a.config().toBuilder().bias(LoraConfig.Bias.ALL).build(),
                a.tensors(), 1);
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(biased), "cat", null, null))
                .hasMessage("adapter 'x' has bias 'all'; add_weighted_adapter needs bias 'none' in every adapter"
                        + " (HF PEFT allows only one adapter with bias)");
        LoraWeightedSource wrongRank = new LoraWeightedSource("w", config(8, 8, false, "query", "value"), a.tensors(), 1);
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(wrongRank), "cat", null, null))
                .hasMessage("adapter 'w' module '" + Q + "': lora_A [4, 6] and lora_B [5, 4] do not have the rank its config"
                        + " gives, r 8");
        Map<String, HostTensor> onlyA = new LinkedHashMap<>(a.tensors());
        onlyA.remove("base_model.model." + V + ".lora_B.weight");
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(new LoraWeightedSource("o", a.config(), onlyA, 1)),
                "cat", null, null))
                .hasMessage("adapter 'o' has lora_A but no lora_B for module '" + V + "'");
        Map<String, HostTensor> wider = new LinkedHashMap<>();
        wider.put("base_model.model." + Q + ".lora_A.weight", random(new SplittableRandom(9), 2, IN + 1));
        wider.put("base_model.model." + Q + ".lora_B.weight", random(new SplittableRandom(9), OUT, 2));
        LoraWeightedSource other = new LoraWeightedSource("other", config(2, 2, false, "query"), wider, 1);
        assertThatThrownBy(() -> LoraWeightedCombination.combine(List.of(a, other), "cat", null, null))
                .hasMessage("module '" + Q + "' is (out 5, in 6) in adapter 'a' but (out 5, in 7) in adapter 'other';"
                        + " were they trained on different base models?");
    }

    @Test
    void resultKeepsTheFirstConfigsOtherKeys() {
        LoraWeightedSource first = new LoraWeightedSource("f",
                a.config().toBuilder().loraDropout(0.25).modulesToSave(List.of("pooler")).build(), a.tensors(), 1);
        LoraConfig config = LoraWeightedCombination.combine(List.of(first, b), "cat", null, null).config();
        assertThat(config.loraDropout()).isEqualTo(0.25);
        assertThat(config.modulesToSave()).containsExactly("pooler");
        assertThat(config.targetModules()).isEqualTo(TargetModules.names("query", "value"));
        assertThat(new ArrayList<>(LoraWeightedCombination.combine(List.of(first, b), "cat", null, null).tensors().keySet()))
                .containsExactly("base_model.model." + Q + ".lora_A.weight", "base_model.model." + Q + ".lora_B.weight",
                        "base_model.model." + V + ".lora_A.weight", "base_model.model." + V + ".lora_B.weight");
    }
}
