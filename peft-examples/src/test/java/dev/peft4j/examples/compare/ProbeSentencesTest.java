package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProbeSentencesTest {

    @Test
    void theWholeFileIsThreeThousandStrippedSentencesInFileOrder() throws Exception {
        List<String> all = ProbeSentences.load(null);
        assertThat(all).hasSize(ProbeSentences.SIZE);
        assertThat(all.get(0)).isEqualTo("Prelingual deafness");
        assertThat(all.get(1)).isEqualTo("In children, this type of hearing loss can lead to social isolation for several reasons.");
        assertThat(all).allSatisfy(text -> assertThat(text).isNotBlank().isEqualTo(text.strip()));
    }

    @Test
    void aLimitKeepsAFixedSampleInFileOrder() throws Exception {
        List<String> all = ProbeSentences.load(null);
        List<String> sample = ProbeSentences.load(100);
        assertThat(sample).hasSize(100).isEqualTo(ProbeSentences.sample(all, 100));
        assertThat(sample).isNotEqualTo(all.subList(0, 100));
        assertThat(ProbeSentences.sample(all, 3_000)).isEqualTo(all);
        assertThat(ProbeSentences.sample(all, 5_000)).isEqualTo(all);
    }

    @Test
    void theSampleIsDistinctIndicesInOrderSpreadUniformly() {
        List<String> numbers = IntStream.range(0, 1_000).mapToObj(Integer::toString).toList();
        int[] kept = ProbeSentences.sample(numbers, 200).stream().mapToInt(Integer::parseInt).toArray();
        assertThat(kept).hasSize(200).doesNotHaveDuplicates().isSorted();
        long firstHalf = IntStream.of(kept).filter(n -> n < 500).count();
        assertThat(firstHalf).isBetween(80L, 120L);
        assertThat(kept[kept.length - 1]).isGreaterThan(900);
    }

    @Test
    void aNonPositiveLimitNamesTheValue() {
        assertThatThrownBy(() -> ProbeSentences.load(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the forgetting probe's sentence limit must be > 0, got 0");
        assertThatThrownBy(() -> ProbeSentences.sample(List.of("a"), -2))
                .hasMessage("the forgetting probe's sentence limit must be > 0, got -2");
    }
}
