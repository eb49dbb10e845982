package dev.peft4j.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenSamplerTest {

    @Test
    void argMaxTakesTheFirstOfTiedMaxima() {
        assertThat(TokenSampler.argMax(new double[] {1, 5, 2, 5})).isEqualTo(1);
        assertThat(TokenSampler.argMax(new double[] {Double.NEGATIVE_INFINITY, -3})).isEqualTo(1);
        assertThatThrownBy(() -> TokenSampler.argMax(new double[] {1, Double.NaN})).hasMessage("score of token 1 is NaN");
    }

    @Test
    void pickInvertsTheCumulativeDistributionAndSkipsZeroProbabilities() {
        double[] p = {0.2, 0.0, 0.5, 0.3};
        assertThat(TokenSampler.pick(p, 0.0)).isEqualTo(0);
        assertThat(TokenSampler.pick(p, 0.1999)).isEqualTo(0);
        assertThat(TokenSampler.pick(p, 0.2)).isEqualTo(2);
        assertThat(TokenSampler.pick(p, 0.6999)).isEqualTo(2);
        assertThat(TokenSampler.pick(p, 0.7)).isEqualTo(3);
        assertThat(TokenSampler.pick(new double[] {0.5, 0.5 - 1e-17, 0}, 0.9999999999999999)).isEqualTo(1);
    }

    @Test
    void drawsFollowTheDistributionAndRepeatWithTheSeed() {
        double[] probabilities = {0.1, 0.6, 0.3};
        double[] scores = {Math.log(0.1), Math.log(0.6), Math.log(0.3)};
        int draws = 30_000;
        int[] counts = new int[3];
        int[] first = new int[draws];
        for (int step = 0; step < draws; step++) {
            first[step] = TokenSampler.sample(scores, 7, step, 1);
            counts[first[step]]++;
        }
        for (int v = 0; v < 3; v++) {
            // 4.5 standard deviations of a binomial proportion at n = 30,000 is below 0.013
            assertThat((double) counts[v] / draws).as("frequency of %d", v).isCloseTo(probabilities[v], within(0.013));
        }
        int sameAsOtherSeed = 0;
        for (int step = 0; step < draws; step++) {
            assertThat(TokenSampler.sample(scores, 7, step, 1)).isEqualTo(first[step]);
            sameAsOtherSeed += TokenSampler.sample(scores, 8, step, 1) == first[step] ? 1 : 0;
        }
        // independent draws agree with probability .01 + .36 + .09 = .46
        assertThat((double) sameAsOtherSeed / draws).isCloseTo(0.46, within(0.015));
        assertThat(TokenSampler.uniform(7, 3, 0)).isNotEqualTo(TokenSampler.uniform(7, 3, 1)).isBetween(0.0, 1.0);
    }

    @Test
    void topKOfOneSamplesTheArgMax() {
        double[] scores = {0.3, 2.5, -1, 2.4, 0};
        for (int step = 0; step < 200; step++) {
            double[] warped = scores.clone();
            new TopKWarper(1).warp(warped);
            assertThat(TokenSampler.sample(warped, 11, step, 0)).isEqualTo(1);
        }
    }
}
