package dev.peft4j.prefix;

import static dev.peft4j.prefix.PromptLearningTesting.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.core.spi.PeftConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixTuningConfigTest {

    /** An adapter_config.json as HF PEFT 0.17 writes it for prefix tuning of all-MiniLM-L6-v2 (SEQ_CLS). */
    static final String HF_CONFIG = """
            {
              "auto_mapping": null,
              "base_model_name_or_path": "sentence-transformers/all-MiniLM-L6-v2",
              "encoder_hidden_size": 384,
              "inference_mode": true,
              "init_weights": null,
              "modules_to_save": ["classifier", "score"],
              "num_attention_heads": 12,
              "num_layers": 6,
              "num_transformer_submodules": 1,
              "num_virtual_tokens": 20,
              "peft_type": "PREFIX_TUNING",
              "peft_version": "0.17.1",
              "prefix_projection": false,
              "revision": null,
              "task_type": "SEQ_CLS",
              "token_dim": 384
            }
            """;

    @Test
    void defaultsAreHfs() {
        PrefixTuningConfig config = PrefixTuningConfig.defaults();
        assertThat(config.numVirtualTokens()).isEqualTo(20);
        assertThat(config.prefixProjection()).isFalse();
        assertThat(config.encoderHiddenSize()).isNull();
        assertThat(config.modulesToSave()).isEmpty();
        assertThat(config.numLayers()).isNull();
        assertThat(config.tokenDim()).isNull();
        assertThat(config.numAttentionHeads()).isNull();
        assertThat(config.numTransformerSubmodules()).isNull();
    }

    @Test
    void badValuesAreRejectedNamingKeyAndValue() {
        assertThatThrownBy(() -> PrefixTuningConfig.defaults().withNumVirtualTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prefix.num_virtual_tokens must be > 0, got 0");
        assertThatThrownBy(() -> PrefixTuningConfig.defaults().withPrefixProjection(true, -1))
                .hasMessage("prefix.encoder_hidden_size must be > 0, got -1");
        assertThatThrownBy(() -> new PrefixTuningConfig(null, null, null, null, 0, null, null, null))
                .hasMessage("prefix.num_layers must be > 0, got 0");
        assertThatThrownBy(() -> new PrefixTuningConfig(null, null, null, null, null, 384, 7, null))
                .hasMessage("prefix.token_dim 384 must be divisible by num_attention_heads 7");
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"PREFIX_TUNING\", \"num_virtual_tokens\": -3}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("prefix.num_virtual_tokens must be > 0, got -3");
    }

    @Test
    void roundTripsThroughJsonAndIsFoundByBothNames() {
        PrefixTuningConfig config = PrefixTuningConfig.defaults().withNumVirtualTokens(10).withPrefixProjection(true, 64);
        String json = RUNTIME.writeConfig(config);
        assertThat(json).contains("\"peft_type\": \"PREFIX_TUNING\"", "\"num_virtual_tokens\": 10", "\"prefix_projection\": true",
                "\"encoder_hidden_size\": 64");
        assertThat(RUNTIME.readUserConfig(json)).isEqualTo(config);
        assertThat(RUNTIME.provider("prefix")).isSameAs(RUNTIME.provider("PREFIX_TUNING"));
        assertThat(RUNTIME.configKeys("prefix")).containsExactly("encoder_hidden_size", "modules_to_save", "num_attention_heads",
                "num_layers", "num_transformer_submodules", "num_virtual_tokens", "prefix_projection", "token_dim");
    }

    @Test
    void userConfigsAreStrictAboutUnknownKeys() {
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"PREFIX_TUNING\", \"num_virtual_token\": 10}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("unknown key 'num_virtual_token' in PREFIX_TUNING config; known: [encoder_hidden_size, modules_to_save, "
                        + "num_attention_heads, num_layers, num_transformer_submodules, num_virtual_tokens, prefix_projection, token_dim]");
    }

    @Test
    void readsAnHfWrittenConfig() {
        PeftConfig config = RUNTIME.readHfConfig(HF_CONFIG);
        assertThat(config).isEqualTo(new PrefixTuningConfig(20, false, 384, List.of("classifier", "score"), 6, 384, 12, 1));
    }

    @Test
    void hfKeysAskingForMissingBehaviourAreRejectedByName() {
        String zeroInit = HF_CONFIG.replace("\"init_weights\": null", "\"init_weights\": \"zero\"");
        assertThatThrownBy(() -> RUNTIME.readHfConfig(zeroInit))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("HF config key 'init_weights' = \"zero\" asks for behaviour peft4j does not support yet; only HF's default null is accepted");
    }
}
