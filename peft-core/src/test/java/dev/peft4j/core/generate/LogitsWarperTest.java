package dev.peft4j.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogitsWarperTest {

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    private static double[] warp(LogitsWarper warper, double... scores) {
        double[] copy = scores.clone();
        warper.warp(copy);
        return copy;
    }

    private static double[] logs(double... probabilities) {
        double[] scores = new double[probabilities.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Math.log(probabilities[i]) + 3; // any offset: softmax ignores it
        }
        return scores;
    }

    @Test
    void temperatureDividesTheScoresAndReshapesTheDistribution() {
        assertThat(warp(new TemperatureWarper(2), 1, 2, 3)).containsExactly(0.5, 1.0, 1.5);
        // softmax([0, ln 2] / 0.5) = softmax([0, ln 4]) = [1/5, 4/5]
        double[] sharpened = Softmax.of(warp(new TemperatureWarper(0.5), 0, Math.log(2)));
        assertThat(sharpened[0]).isCloseTo(0.2, within(1e-12));
        assertThat(sharpened[1]).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void topKKeepsTheKBestAndTiesWithTheKth() {
        assertThat(warp(new TopKWarper(2), 1, 3, 2, 0)).containsExactly(NEG_INF, 3, 2, NEG_INF);
        assertThat(warp(new TopKWarper(2), 1, 3, 2, 3)).containsExactly(NEG_INF, 3, NEG_INF, 3);
        assertThat(warp(new TopKWarper(2), 1, 3, 3, 3)).containsExactly(NEG_INF, 3, 3, 3);
        assertThat(warp(new TopKWarper(10), 1, 3)).containsExactly(1, 3);
        // renormalised: softmax over the kept two
        double[] p = Softmax.of(warp(new TopKWarper(2), logs(0.5, 0.3, 0.15, 0.05)));
        assertThat(p[0]).isCloseTo(0.625, within(1e-12));
        assertThat(p[1]).isCloseTo(0.375, within(1e-12));
        assertThat(p[2]).isZero();
        assertThat(p[3]).isZero();
    }

    @Test
    void topPKeepsTheSmallestSetWhoseMassReachesP() {
        double[] scores = logs(0.15, 0.5, 0.05, 0.3);
        assertThat(warp(new TopPWarper(0.75), scores)).containsExactly(NEG_INF, scores[1], NEG_INF, scores[3]);
        assertThat(warp(new TopPWarper(0.85), scores)).containsExactly(scores[0], scores[1], NEG_INF, scores[3]);
        assertThat(warp(new TopPWarper(0.4), scores)).containsExactly(NEG_INF, scores[1], NEG_INF, NEG_INF);
        assertThat(warp(new TopPWarper(0.97), scores)).containsExactly(scores);
        assertThat(warp(new TopPWarper(1), scores)).containsExactly(scores);
        // at least one token, even for p = 0
        assertThat(warp(new TopPWarper(0), scores)).containsExactly(NEG_INF, scores[1], NEG_INF, NEG_INF);
        double[] p = Softmax.of(warp(new TopPWarper(0.75), scores));
        assertThat(p[1]).isCloseTo(0.625, within(1e-12));
        assertThat(p[3]).isCloseTo(0.375, within(1e-12));
    }

    @Test
    void topPStopsExactlyWhenTheMassReachesPAsHf() {
        // four equal tokens of probability 1/4 (exact in binary): HF removes a token when the
        // ascending cumulative probability up to it is <= 1 - top_p = 0.5: the two of lowest rank
        assertThat(warp(new TopPWarper(0.5), 0, 0, 0, 0)).containsExactly(0, 0, NEG_INF, NEG_INF);
        assertThat(warp(new TopPWarper(0.51), 0, 0, 0, 0)).containsExactly(0, 0, 0, NEG_INF);
    }

    @Test
    void warpersComposeInHfOrder() {
        // temperature first changes which tokens top-p keeps: softmax of [ln .5, ln .3, ln .2] / 0.5 is
        // proportional to [.25, .09, .04]: [0.6579, 0.2368, 0.1053]; top_p 0.8 then keeps two tokens
        GenerationConfig config = GenerationConfig.sampling(5, 0.5, 0, 0.8, 1);
        assertThat(config.warpers()).containsExactly(new TemperatureWarper(0.5), new TopPWarper(0.8));
        double[] scores = logs(0.5, 0.3, 0.2);
        config.warpers().forEach(w -> w.warp(scores));
        double[] p = Softmax.of(scores);
        assertThat(p[0]).isCloseTo(0.25 / 0.34, within(1e-12));
        assertThat(p[1]).isCloseTo(0.09 / 0.34, within(1e-12));
        assertThat(p[2]).isZero();
        // without temperature, top_p 0.8 keeps exactly .5 + .3
        assertThat(GenerationConfig.sampling(5, 1, 2, 0.8, 1).warpers()).containsExactly(new TopKWarper(2), new TopPWarper(0.8));
    }

    @Test
    void badParametersAreNamed() {
        assertThatThrownBy(() -> new TemperatureWarper(0)).hasMessage("temperature must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> new TopKWarper(0)).hasMessage("top_k must be > 0, got 0");
        assertThatThrownBy(() -> new TopPWarper(1.5)).hasMessage("top_p must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> Softmax.of(new double[] {NEG_INF, NEG_INF}))
                .hasMessage("every one of the 2 scores is -inf: no token left to pick");
        assertThatThrownBy(() -> Softmax.of(new double[] {0, Double.NaN})).hasMessage("scores must be finite or -inf, got NaN");
    }
}
