package dev.peft4j.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.testing.TinyCausalLms;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorTest {

    private static final int[] LONG_PROMPT = {30, 4, 5, 6, 7, 8, 9};
    private static final int[] SHORT_PROMPT = {31, 12, 15};

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void greedyWithTheCacheEqualsGreedyWithoutTokenForToken(String kind) {
        try (TransformerModel model = TinyCausalLms.create(kind, manager)) {
            Generator generator = Generator.of(model);
            GenerationConfig cached = GenerationConfig.greedy(16);
            List<int[]> prompts = List.of(LONG_PROMPT, SHORT_PROMPT);
            GenerationResult withCache = generator.generate(prompts, cached);
            GenerationResult without = generator.generate(prompts, cached.withUseCache(false));
            assertThat(withCache.sequences()).isEqualTo(without.sequences());
            assertThat(withCache.sequences()).allMatch(s -> s.length() == 16 && s.finishReason() == FinishReason.LENGTH);
            assertThat(withCache.forwardPasses()).isEqualTo(16);
            // each left-padded row equals its prompt generated alone
            assertThat(generator.generate(List.of(LONG_PROMPT), cached).tokens(0)).containsExactly(withCache.tokens(0));
            assertThat(generator.generate(List.of(SHORT_PROMPT), cached).tokens(0)).containsExactly(withCache.tokens(1));
            assertThat(generator.generate(List.of(SHORT_PROMPT), cached.withUseCache(false)).tokens(0)).containsExactly(withCache.tokens(1));
            // greedy decoding of a random model soon repeats one token; sampled sequences vary, and
            // with the same draws the cache changes none of them either
            GenerationConfig sampling = GenerationConfig.sampling(16, 1.5, 0, 1.0, 5);
            GenerationResult sampled = generator.generate(prompts, sampling);
            assertThat(generator.generate(prompts, sampling.withUseCache(false)).sequences()).isEqualTo(sampled.sequences());
            assertThat(Arrays.stream(sampled.tokens(0)).distinct().count()).isGreaterThan(4);
        }
    }

    @Test
    void greedyTakesTheArgMaxOfTheModelsLogits() {
        try (TransformerModel model = TinyCausalLms.llama(manager); NDManager scope = manager.newSubManager()) {
            int[] tokens = Generator.of(model).generate(List.of(SHORT_PROMPT), GenerationConfig.greedy(3)).tokens(0);
            int[] sequence = SHORT_PROMPT.clone();
            for (int token : tokens) {
                long[][] ids = {Arrays.stream(sequence).asLongStream().toArray()};
                long[][] mask = {new long[sequence.length]};
                Arrays.fill(mask[0], 1);
                float[] logits = model.forward(new ai.djl.ndarray.NDList(scope.create(ids), scope.create(mask)), false).head()
                        .get(0).get(sequence.length - 1).toFloatArray();
                int best = 0;
                for (int v = 1; v < logits.length; v++) {
                    best = logits[v] > logits[best] ? v : best;
                }
                assertThat(token).isEqualTo(best);
                sequence = Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = token;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void samplingRepeatsWithTheSeedAndTopKOneIsGreedy(boolean useCache) {
        try (TransformerModel model = TinyCausalLms.gpt2(manager)) {
            Generator generator = Generator.of(model);
            List<int[]> prompts = List.of(LONG_PROMPT, SHORT_PROMPT);
            GenerationConfig sampling = GenerationConfig.sampling(20, 1.5, 0, 1.0, 3).withUseCache(useCache);
            GenerationResult first = generator.generate(prompts, sampling);
            assertThat(generator.generate(prompts, sampling).sequences()).isEqualTo(first.sequences());
            GenerationResult otherSeed = generator.generate(prompts, GenerationConfig.sampling(20, 1.5, 0, 1.0, 4).withUseCache(useCache));
            assertThat(otherSeed.sequences()).isNotEqualTo(first.sequences());
            GenerationResult greedy = generator.generate(prompts, GenerationConfig.greedy(20).withUseCache(useCache));
            assertThat(first.sequences()).isNotEqualTo(greedy.sequences());
            GenerationResult topOne = generator.generate(prompts, GenerationConfig.sampling(20, 1.5, 1, 1.0, 3).withUseCache(useCache));
            assertThat(topOne.sequences()).isEqualTo(greedy.sequences());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRowStopsAtItsFirstStopTokenAndTheBatchWhenAllStopped(boolean useCache) {
        try (TransformerModel model = TinyCausalLms.llama(manager)) {
            Generator generator = Generator.of(model);
            List<int[]> prompts = List.of(LONG_PROMPT, SHORT_PROMPT);
            GenerationConfig greedy = GenerationConfig.greedy(12).withUseCache(useCache);
            int[] row0 = generator.generate(prompts, greedy).tokens(0);
            int[] row1 = generator.generate(prompts, greedy).tokens(1);
            // stop at row 0's third token; row 1 stops wherever that token first appears in it
            int stop = row0[2];
            int stopAt0 = firstIndex(row0, stop);
            GenerationResult stopped = generator.generate(prompts, greedy.withEosTokenId(List.of(stop)));
            assertThat(stopped.tokens(0)).containsExactly(Arrays.copyOf(row0, stopAt0 + 1));
            assertThat(stopped.sequences().get(0).finishReason()).isEqualTo(FinishReason.STOP_TOKEN);
            int stopAt1 = firstIndex(row1, stop);
            if (stopAt1 < 0) {
                assertThat(stopped.tokens(1)).containsExactly(row1);
                assertThat(stopped.sequences().get(1).finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(stopped.forwardPasses()).isEqualTo(12);
            } else {
                assertThat(stopped.tokens(1)).containsExactly(Arrays.copyOf(row1, stopAt1 + 1));
                assertThat(stopped.forwardPasses()).isEqualTo(Math.max(stopAt0, stopAt1) + 1);
            }
            // stopping both rows ends the batch early: every token either row produces first is a stop token
            GenerationResult both = generator.generate(prompts, greedy.withEosTokenId(List.of(row0[0], row1[0])));
            assertThat(both.forwardPasses()).isEqualTo(1);
            assertThat(both.tokens(0)).containsExactly(row0[0]);
            assertThat(both.tokens(1)).containsExactly(row1[0]);
            assertThat(both.sequences()).allMatch(s -> s.finishReason() == FinishReason.STOP_TOKEN);
        }
    }

    private static int firstIndex(int[] tokens, int token) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == token) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void throughAPeftModelTheAdapterComputesAndDisablingItGivesTheBase() {
        try (TransformerModel base = TinyCausalLms.llama(manager)) {
            GenerationConfig greedy = GenerationConfig.greedy(10);
            List<int[]> prompts = List.of(LONG_PROMPT, SHORT_PROMPT);
            GenerationResult baseTokens = Generator.of(base).generate(prompts, greedy);
            try (PeftModel peft = TinyCausalLms.scale(base, "q_proj", "v_proj", "down_proj")) {
                // the scale adapter starts as the identity: push it away from it
                peft.trainableParameters().values().forEach(p -> p.getArray().muli(3));
                Generator generator = Generator.of(peft);
                GenerationResult adapted = generator.generate(prompts, greedy);
                assertThat(adapted.sequences()).isNotEqualTo(baseTokens.sequences());
                assertThat(generator.generate(prompts, greedy.withUseCache(false)).sequences()).isEqualTo(adapted.sequences());
                try (var disabled = peft.disableAdapter()) {
                    assertThat(generator.generate(prompts, greedy).sequences()).isEqualTo(baseTokens.sequences());
                }
            }
        }
    }

    @Test
    void badInputsAreNamed() {
        try (TransformerModel model = TinyCausalLms.llama(manager)) {
            Generator generator = Generator.of(model);
            assertThatThrownBy(() -> generator.generate(List.of(new int[] {1, 32}), GenerationConfig.greedy(2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("prompt 0 holds token id 32 at position 1; ids must be in [0, 32)");
            assertThatThrownBy(() -> generator.generate(List.of(new int[] {1}), GenerationConfig.greedy(2).withEosTokenId(List.of(40))))
                    .hasMessage("eos_token_id 40 is outside [0, 32)");
        }
        try (TransformerModel bert = dev.peft4j.core.model.TinyBert.create(manager, dev.peft4j.core.model.TaskType.SEQ_CLS)) {
            assertThatThrownBy(() -> Generator.of(bert)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("generation needs a CAUSAL_LM decoder (Llama or GPT-2), got bert SEQ_CLS");
        }
    }
}
