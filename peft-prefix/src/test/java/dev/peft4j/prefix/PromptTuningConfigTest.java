package dev.peft4j.prefix;

import static dev.peft4j.prefix.PromptLearningTesting.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.prefix.PromptTuningConfig.PromptTuningInit;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTuningConfigTest {

    @Test
    void defaultsAreHfs() {
        PromptTuningConfig config = PromptTuningConfig.defaults();
        assertThat(config.numVirtualTokens()).isEqualTo(20);
        assertThat(config.promptTuningInit()).isEqualTo(PromptTuningInit.RANDOM);
        assertThat(config.promptTuningInitText()).isNull();
        assertThat(config.modulesToSave()).isEmpty();
    }

    @Test
    void badValuesAreRejectedNamingKeyAndValue() {
        assertThatThrownBy(() -> PromptTuningConfig.defaults().withNumVirtualTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt.num_virtual_tokens must be > 0, got 0");
        assertThatThrownBy(() -> PromptTuningConfig.defaults().withInit(PromptTuningInit.TEXT, null))
                .hasMessage("prompt.prompt_tuning_init_text is required when prompt_tuning_init is TEXT");
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"PROMPT_TUNING\", \"prompt_tuning_init\": \"WORDS\"}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("prompt.prompt_tuning_init must be one of [RANDOM, TEXT, SAMPLE_VOCAB], got 'WORDS'");
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"PROMPT_TUNING\", \"prompt_tuning_init\": \"TEXT\"}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("prompt.prompt_tuning_init_text is required when prompt_tuning_init is TEXT");
        assertThatThrownBy(() -> new PromptTuningConfig(null, null, null, null, null, null, null, 0))
                .hasMessage("prompt.num_transformer_submodules must be > 0, got 0");
    }

    @Test
    void roundTripsThroughJsonAndIsFoundByBothNames() {
        PromptTuningConfig config = PromptTuningConfig.defaults().withNumVirtualTokens(8)
                .withInit(PromptTuningInit.TEXT, "classify the sentiment");
        String json = RUNTIME.writeConfig(config);
        assertThat(json).contains("\"peft_type\": \"PROMPT_TUNING\"", "\"prompt_tuning_init\": \"TEXT\"",
                "\"prompt_tuning_init_text\": \"classify the sentiment\"");
        assertThat(RUNTIME.readUserConfig(json)).isEqualTo(config);
        assertThat(RUNTIME.provider("prompt")).isSameAs(RUNTIME.provider("PROMPT_TUNING"));
        PromptTuningConfig sampled = PromptTuningConfig.defaults().withInit(PromptTuningInit.SAMPLE_VOCAB, null);
        assertThat(RUNTIME.readUserConfig(RUNTIME.writeConfig(sampled))).isEqualTo(sampled);
    }

    @Test
    void readsAnHfWrittenConfigWithItsTokenizerKeysAsInformation() {
        String hf = """
                {
                  "base_model_name_or_path": "sentence-transformers/all-MiniLM-L6-v2",
                  "inference_mode": true,
                  "modules_to_save": ["classifier", "score"],
                  "num_attention_heads": 12,
                  "num_layers": 6,
                  "num_transformer_submodules": 1,
                  "num_virtual_tokens": 20,
                  "peft_type": "PROMPT_TUNING",
                  "prompt_tuning_init": "TEXT",
                  "prompt_tuning_init_text": "Classify if the review is positive or negative",
                  "revision": null,
                  "task_type": "SEQ_CLS",
                  "token_dim": 384,
                  "tokenizer_kwargs": {"use_fast": true},
                  "tokenizer_name_or_path": "sentence-transformers/all-MiniLM-L6-v2"
                }
                """;
        assertThat(RUNTIME.readHfConfig(hf)).isEqualTo(new PromptTuningConfig(20, PromptTuningInit.TEXT,
                "Classify if the review is positive or negative", List.of("classifier", "score"), 6, 384, 12, 1));
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"PROMPT_TUNING\", \"tokenizer_name_or_path\": \"x\"}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("unknown key 'tokenizer_name_or_path' in PROMPT_TUNING config; known: [");
    }
}
