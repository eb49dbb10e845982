package dev.peft4j.core.train.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PerplexityTest {

    @Test
    void batchesCombineByTokensNotByAveragingTheirPerplexities() {
        Perplexity total = Perplexity.EMPTY.plus(new Perplexity(3, 2)).plus(new Perplexity(1, 6));
        assertThat(total.tokens()).isEqualTo(8);
        assertThat(total.meanNll()).isEqualTo(0.5);
        assertThat(total.value()).isCloseTo(Math.exp(0.5), within(1e-12));
        double meanOfBatchPerplexities = (Math.exp(1.5) + Math.exp(1.0 / 6)) / 2;
        assertThat(total.value()).isNotCloseTo(meanOfBatchPerplexities, within(0.1));
        assertThat(new Perplexity(Math.log(2) * 4, 4).bitsPerToken()).isCloseTo(1.0, within(1e-12));
        // a uniform model over 256 bytes has perplexity 256
        assertThat(new Perplexity(Math.log(256) * 10, 10).value()).isCloseTo(256, within(1e-9));
    }

    @Test
    void emptyAndInvalidSumsAreRefused() {
        assertThatThrownBy(Perplexity.EMPTY::value).isInstanceOf(IllegalStateException.class)
                .hasMessage("perplexity of zero counted tokens is undefined");
        assertThatThrownBy(() -> new Perplexity(1, -1)).hasMessage("counted tokens must be >= 0, got -1");
        assertThatThrownBy(() -> new Perplexity(Double.NaN, 1)).hasMessage("summed NLL must be >= 0, got NaN");
    }
}
