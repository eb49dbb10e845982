package dev.peft4j.prefix;

import static dev.peft4j.core.testing.DecoderTesting.assertCacheMatchesFullForward;
import static dev.peft4j.core.testing.DecoderTesting.assertDisabledIsBase;
import static dev.peft4j.core.testing.DecoderTesting.assertSaveLoadRoundTrip;
import static dev.peft4j.core.testing.DecoderTesting.baseLogits;
import static dev.peft4j.core.testing.DecoderTesting.create;
import static dev.peft4j.core.testing.DecoderTesting.logits;
import static dev.peft4j.core.testing.DecoderTesting.train;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.TextEncoder;
import dev.peft4j.prefix.PromptTuningConfig.PromptTuningInit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prefix and prompt tuning on the tiny decoders ({@link dev.peft4j.core.testing.DecoderTesting}):
 * Llama has grouped-query attention (4 query heads, 2 key/value heads of 4), so its prefix is sized
 * by the key/value heads as HF PEFT sizes it ({@code num_attention_heads = 2}, {@code token_dim = 8});
 * GPT-2 (4 heads of 4) uses the hidden size 16. Prompt tuning prepends {@code (P, 16)} virtual tokens
 * to the input embeddings either way.
 */
class PromptLearningDecoderTest {

    private static final int P = 5;

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static PeftConfig config(String method) {
        return method.equals("prefix") ? PrefixTuningConfig.defaults().withNumVirtualTokens(P)
                : PromptTuningConfig.defaults().withNumVirtualTokens(P);
    }

    private static PeftModel adapt(String architecture, NDManager scope, PeftConfig config) {
        return PromptLearningTesting.RUNTIME.getPeftModel(create(architecture, scope), config, ConfigOrigin.USER);
    }

    /** P virtual tokens: prefix P * layers * 2 * kv width, prompt P * hidden. */
    @ParameterizedTest
    @CsvSource({"prefix, llama, 160", "prefix, gpt2, 320", "prompt, llama, 80", "prompt, gpt2, 80"})
    void trainableParametersFollowTheKeyValueWidthOrTheHiddenSize(String method, String architecture, long expected) {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt(architecture, scope, config(method))) {
            assertThat(peft.trainableParameterCount()).isEqualTo(expected);
            assertThat(logits(peft, scope)).as("virtual tokens are removed from the logits").hasSize(2 * 6 * 40);
        }
    }

    @Test
    void llamaPrefixConfigRecordsTheKeyValueHeadsAsHfPeftDoes() {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("llama", scope, config("prefix"))) {
            PrefixTuningConfig resolved = (PrefixTuningConfig) peft.config();
            assertThat(resolved.numAttentionHeads()).isEqualTo(2);
            assertThat(resolved.tokenDim()).isEqualTo(8);
            assertThat(resolved.numLayers()).isEqualTo(2);
            assertThat(resolved.numTransformerSubmodules()).isEqualTo(1);
        }
    }

    @Test
    void llamaPromptConfigRecordsTheHiddenSizeAndQueryHeads() {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("llama", scope, config("prompt"))) {
            PromptTuningConfig resolved = (PromptTuningConfig) peft.config();
            assertThat(resolved.numAttentionHeads()).isEqualTo(4);
            assertThat(resolved.tokenDim()).isEqualTo(16);
        }
    }

    @Test
    void aPrefixSizedByTheQueryHeadsIsRefusedOnAGroupedQueryModel() {
        PeftConfig wrong = PromptLearningTesting.RUNTIME.readUserConfig(
                "{\"peft_type\": \"PREFIX_TUNING\", \"num_virtual_tokens\": 5, \"token_dim\": 16}");
        try (NDManager scope = manager.newSubManager()) {
            assertThatThrownBy(() -> adapt("llama", scope, wrong))
                    .hasMessage("prefix.token_dim is 16, but the model has 8 as key/value width (head_dim * num_key_value_heads)");
        }
    }

    @ParameterizedTest
    @CsvSource({"prefix, llama", "prefix, gpt2", "prompt, llama", "prompt, gpt2"})
    void trainingLowersTheLossDisablingGivesTheBaseAndTheCacheMatches(String method, String architecture) {
        try (NDManager scope = manager.newSubManager()) {
            float[] base = baseLogits(architecture, scope);
            try (PeftModel peft = adapt(architecture, scope, config(method))) {
                assertThat(logits(peft, scope)).isNotEqualTo(base);
                List<Float> losses = train(peft, 8, 0.05, scope);
                assertThat(losses.getLast()).as(losses.toString()).isLessThan(losses.getFirst() * 0.95f);
                assertDisabledIsBase(peft, base, scope);
                assertCacheMatchesFullForward(peft, scope);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"prefix, llama, 32", "prefix, gpt2, 64", "prompt, llama, 16", "prompt, gpt2, 16"})
    void savedAsHfPromptEmbeddingsWithCausalLmAndLoadedBack(String method, String architecture, long width, @TempDir Path dir)
            throws IOException {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt(architecture, scope, config(method))) {
            train(peft, 2, 0.05, scope);
            Map<String, long[]> shapes = assertSaveLoadRoundTrip(PromptLearningTesting.RUNTIME, peft, dir, scope);
            assertThat(shapes.keySet()).containsExactly("prompt_embeddings");
            assertThat(shapes.get("prompt_embeddings")).containsExactly(P, width);
            JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve(AdapterCheckpoint.CONFIG_FILE)));
            assertThat(config.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        }
    }

    @Test
    void textInitialisationUsesTheGivenTokenizer() {
        TextEncoder bytes = text -> text.chars().mapToLong(c -> c % 40).toArray();
        PromptTuningConfig config = PromptTuningConfig.defaults().withNumVirtualTokens(P).withInit(PromptTuningInit.TEXT, "abc");
        try (NDManager scope = manager.newSubManager();
                PeftModel peft = PromptLearningTesting.RUNTIME.getPeftModel(create("gpt2", scope), config, ConfigOrigin.USER, bytes)) {
            float[] words = peft.baseModel().inputEmbeddings().weight().getArray().toFloatArray();
            float[] prompt = peft.trainableParameters().values().iterator().next().getArray().toFloatArray();
            long[] ids = {'a' % 40, 'b' % 40, 'c' % 40, 'a' % 40, 'b' % 40};
            for (int row = 0; row < P; row++) {
                int id = (int) ids[row];
                assertThat(Arrays.copyOfRange(prompt, row * 16, (row + 1) * 16)).as("row " + row)
                        .containsExactly(Arrays.copyOfRange(words, id * 16, (id + 1) * 16));
            }
        }
    }
}
