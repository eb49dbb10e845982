package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.runtime.fixtures.Fixtures;
import dev.peft4j.core.runtime.fixtures.StubProvider;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig.Bias;
import dev.peft4j.core.runtime.fixtures.ToyPromptConfig;
import dev.peft4j.core.spi.PeftConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lenient reading of configs written by HF PEFT. */
class HfConfigTest {

    /** Shaped like HF PEFT 0.13's {@code adapter_config.json} for a BERT SEQ_CLS LoRA. */
    private static final String HF_LORA = """
            {
              "alpha_pattern": {},
              "auto_mapping": null,
              "base_model_name_or_path": "sentence-transformers/all-MiniLM-L6-v2",
              "bias": "none",
              "fan_in_fan_out": false,
              "inference_mode": true,
              "init_lora_weights": true,
              "layer_replication": null,
              "layers_pattern": null,
              "layers_to_transform": null,
              "loftq_config": {},
              "lora_alpha": 16,
              "lora_dropout": 0.1,
              "megatron_config": null,
              "megatron_core": "megatron.core",
              "modules_to_save": ["classifier", "score"],
              "peft_type": "LORA",
              "r": 8,
              "rank_pattern": {},
              "revision": null,
              "target_modules": ["query", "value"],
              "task_type": "SEQ_CLS",
              "use_dora": false,
              "use_rslora": false
            }""";

    private final PeftConfigs configs = new PeftConfigs(MethodRegistry.of(Fixtures.fiveMethods()));

    @Test
    void acceptsWhatHfPeftWrites() {
        assertThat(configs.readHfConfig(HF_LORA)).isEqualTo(new ToyLoraConfig(
                8, 16.0, 0.1, List.of("query", "value"), Bias.NONE, false, List.of("classifier", "score")));
    }

    @Test
    void strictReadRejectsTheSameFile() {
        assertThatThrownBy(() -> configs.readUserConfig(HF_LORA))
                .hasMessageStartingWith("unknown key 'alpha_pattern' in LORA config; known: [");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "use_dora          | true            | false",
        "layer_replication | [[0, 4]]        | null",
        "megatron_core     | \"megatron.x\"  | \"megatron.core\"",
        "loftq_config      | {\"loftq_bits\": 4} | {}",
        "use_rslora        | true            | false",
        "init_lora_weights | \"gaussian\"    | true",
        "eva_config        | {\"rho\": 2}    | null",
        "modules_to_save   | [\"classifier\"] | null"})
    void rejectsKeysAskingForBehaviourWeLack(String key, String value, String hfDefault) {
        String json = "{\"peft_type\": \"" + (key.equals("modules_to_save") ? "PROMPT_TUNING" : "LORA")
                + "\", \"" + key + "\": " + value + "}";
        assertThatThrownBy(() -> configs.readHfConfig(json))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("HF config key '" + key + "' = " + value.replace(" ", "")
                        + " asks for behaviour peft4j does not support yet; only HF's default " + hfDefault + " is accepted");
    }

    @Test
    void useDoraTrueMessageIsExact() {
        assertThatThrownBy(() -> configs.readHfConfig("{\"peft_type\": \"LORA\", \"use_dora\": true}"))
                .hasMessage("HF config key 'use_dora' = true asks for behaviour peft4j does not support yet;"
                        + " only HF's default false is accepted");
    }

    @Test
    void defaultsCompareNumbersByValue() {
        PeftConfigs withNumber = new PeftConfigs(MethodRegistry.of(List.of(new NumberDefaultProvider())));
        assertThat(withNumber.readHfConfig("{\"peft_type\": \"NUM\", \"qalora_group_size\": 16.0}"))
                .isEqualTo(new StubProvider.PrefixStub());
        assertThatThrownBy(() -> withNumber.readHfConfig("{\"peft_type\": \"NUM\", \"qalora_group_size\": 32}"))
                .hasMessage("HF config key 'qalora_group_size' = 32 asks for behaviour peft4j does not support yet;"
                        + " only HF's default 16 is accepted");
    }

    @Test
    void informationalKeysTakeAnyValue() {
        PeftConfig prompt = configs.readHfConfig("""
                {"peft_type": "PROMPT_TUNING", "num_virtual_tokens": 5, "task_type": "CAUSAL_LM",
                 "inference_mode": false, "revision": "main", "base_model_name_or_path": "x/y",
                 "tokenizer_name_or_path": "x/y", "peft_version": "0.17.1"}""");
        assertThat(prompt).isEqualTo(new ToyPromptConfig(5));
    }

    @Test
    void methodInformationalKeysStayWithTheirMethod() {
        assertThatThrownBy(() -> configs.readHfConfig("{\"peft_type\": \"LORA\", \"tokenizer_name_or_path\": \"x/y\"}"))
                .hasMessage("unknown HF config key 'tokenizer_name_or_path' = \"x/y\" in LORA config; known: "
                        + "[bias, fan_in_fan_out, lora_alpha, lora_dropout, modules_to_save, r, target_modules]");
    }

    @Test
    void unknownKeysPassOnlyWhenEmpty() {
        assertThat(configs.readHfConfig("""
                {"peft_type": "LORA", "target_parameters": null, "use_qalora": false, "exclude_list": [],
                 "arrow_config": {}, "note": ""}""")).isEqualTo(ToyLoraConfig.defaults());
        assertThatThrownBy(() -> configs.readHfConfig("{\"peft_type\": \"LORA\", \"qalora_group_size\": 16}"))
                .hasMessage("unknown HF config key 'qalora_group_size' = 16 in LORA config; known: "
                        + "[bias, fan_in_fan_out, lora_alpha, lora_dropout, modules_to_save, r, target_modules]");
    }

    @Test
    void sameTypeAndValidationErrorsAsUserConfigs() {
        assertThatThrownBy(() -> configs.readHfConfig("{\"peft_type\": \"ADALORA\"}"))
                .hasMessage("unknown peft_type 'ADALORA'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> configs.readHfConfig("{\"peft_type\": \"LORA\", \"r\": 0, \"task_type\": \"SEQ_CLS\"}"))
                .hasMessage("lora.r must be > 0, got 0");
    }

    @Test
    void invalidProviderTablesAreRejectedNamingTheProvider() {
        var badKey = new NumberDefaultProvider() {
            @Override
            public Set<String> hfInformationalKeys() {
                return Set.of("Tokenizer");
            }
        };
        assertThatThrownBy(() -> new PeftConfigs(MethodRegistry.of(List.of(badKey))))
                .hasMessage("provider " + badKey.getClass().getName()
                        + ": hfInformationalKeys() key 'Tokenizer' must be snake_case ([a-z][a-z0-9_]*)");
    }

    /** A stub whose HF table has a numeric default. */
    static class NumberDefaultProvider extends StubProvider<StubProvider.PrefixStub> {
        NumberDefaultProvider() {
            super("NUM", "num", StubProvider.PrefixStub.class);
        }

        @Override
        public Map<String, Object> hfIgnorableDefaults() {
            return Map.of("qalora_group_size", 16);
        }
    }
}
