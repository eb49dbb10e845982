package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.InvalidConfigException;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.lora.LoraConfig.Bias;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HF PEFT's LoraConfig keys, defaults, JSON and validation. */
class LoraConfigTest {

    /** Shaped like the adapter_config.json recent HF PEFT (0.17+) writes for a BERT SEQ_CLS LoRA. */
    private static final String HF_SEQ_CLS = """
            {
              "alora_invocation_tokens": null,
              "alpha_pattern": {},
              "arrow_config": null,
              "auto_mapping": null,
              "base_model_name_or_path": "sentence-transformers/all-MiniLM-L6-v2",
              "bias": "none",
              "corda_config": null,
              "ensure_weight_tying": false,
              "eva_config": null,
              "exclude_modules": null,
              "fan_in_fan_out": false,
              "inference_mode": true,
              "init_lora_weights": true,
              "layer_replication": null,
              "layers_pattern": null,
              "layers_to_transform": null,
              "loftq_config": {},
              "lora_alpha": 16,
              "lora_bias": false,
              "lora_dropout": 0.1,
              "megatron_config": null,
              "megatron_core": "megatron.core",
              "modules_to_save": [
                "classifier",
                "score"
              ],
              "peft_type": "LORA",
              "peft_version": "0.17.1",
              "qalora_group_size": 16,
              "r": 8,
              "rank_pattern": {},
              "revision": null,
              "target_modules": [
                "value",
                "query"
              ],
              "target_parameters": null,
              "task_type": "SEQ_CLS",
              "trainable_token_indices": null,
              "use_dora": false,
              "use_qalora": false,
              "use_rslora": false
            }""";

    @Test
    void defaultsAreHfPeftsDefaults() {
        LoraConfig config = LoraConfig.defaults();
        assertThat(config.r()).isEqualTo(8);
        assertThat(config.loraAlpha()).isEqualTo(8.0);
        assertThat(config.loraDropout()).isEqualTo(0.0);
        assertThat(config.targetModules()).isNull();
        assertThat(config.excludeModules()).isNull();
        assertThat(config.fanInFanOut()).isFalse();
        assertThat(config.bias()).isEqualTo(Bias.NONE);
        assertThat(config.useRslora()).isFalse();
        assertThat(config.useDora()).isFalse();
        assertThat(config.modulesToSave()).isEmpty();
        assertThat(config.initLoraWeights()).isEqualTo(InitLoraWeights.KAIMING);
        assertThat(config.layersToTransform()).isNull();
        assertThat(config.rankPattern()).isEmpty();
        assertThat(config.alphaPattern()).isEmpty();
        assertThat(RUNTIME.readUserConfig("{\"peft_type\": \"LORA\"}")).isEqualTo(config);
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void writesHfStyleJsonAndReadsItBack() {
        assertThat(RUNTIME.writeConfig(LoraConfig.defaults())).isEqualTo("""
                {
                  "peft_type": "LORA",
                  "alpha_pattern": {},
                  "bias": "none",
                  "exclude_modules": null,
                  "fan_in_fan_out": false,
                  "init_lora_weights": true,
                  "layers_to_transform": null,
                  "lora_alpha": 8.0,
                  "lora_dropout": 0.0,
                  "modules_to_save": [],
                  "r": 8,
                  "rank_pattern": {},
                  "target_modules": null,
                  "use_dora": false,
                  "use_rslora": false
                }""");
        Map<String, Integer> ranks = new LinkedHashMap<>();
        ranks.put("layer.1.attention.self.query", 4);
        ranks.put("query", 2);
        LoraConfig config = LoraConfig.builder()
                .r(16).loraAlpha(32).loraDropout(0.05).targetModules("query", "value")
                .excludeModules(TargetModules.regex(".*layer\\.0\\..*")).bias(Bias.LORA_ONLY).useRslora(true).useDora(true)
                .modulesToSave(List.of("classifier")).initLoraWeights(InitLoraWeights.GAUSSIAN)
                .layersToTransform(List.of(0, 1)).rankPattern(ranks).alphaPattern(Map.of("value", 64.0))
                .build();
        String json = RUNTIME.writeConfig(config);
        assertThat(json).contains("\"init_lora_weights\": \"gaussian\"", "\"bias\": \"lora_only\"", "\"use_dora\": true",
                "\"target_modules\": [\n    \"query\",\n    \"value\"\n  ]", "\"exclude_modules\": \".*layer\\\\.0\\\\..*\"");
        assertThat(RUNTIME.readUserConfig(json)).isEqualTo(config);
        LoraConfig other = config.toBuilder().initLoraWeights(InitLoraWeights.RANDOM)
                .targetModules(TargetModules.allLinear()).layersToTransform(null).build();
        assertThat(RUNTIME.writeConfig(other)).contains("\"init_lora_weights\": false", "\"target_modules\": \"all-linear\"");
        assertThat(RUNTIME.readUserConfig(RUNTIME.writeConfig(other))).isEqualTo(other);
    }

    @Test
    void readsTheAdapterConfigHfPeftWritesForBertSequenceClassification() {
        LoraConfig config = (LoraConfig) RUNTIME.readHfConfig(HF_SEQ_CLS);
        assertThat(config).isEqualTo(LoraConfig.builder()
                .r(8).loraAlpha(16).loraDropout(0.1).targetModules("value", "query")
                .modulesToSave(List.of("classifier", "score")).build());
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), config, ConfigOrigin.CHECKPOINT)) {
            // 2 layers x {query, value} x (A 8x16 + B 16x8), plus the classifier copy 16x2 + 2
            assertThat(peft.trainableParameterCount()).isEqualTo(2 * 2 * (8 * 16 + 16 * 8) + 34);
            assertThat(peft.modulesToSave()).containsExactly("classifier");
            assertThat(LoraTesting.lora(peft, "bert.encoder.layer.1.attention.self.value").scaling()).isEqualTo(2.0);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), config, ConfigOrigin.USER))
                    .hasMessageStartingWith("modules_to_save entry 'score' matches no module; closest: [");
        }
    }

    @Test
    void readsAnHfDoraConfig() {
        LoraConfig config = (LoraConfig) RUNTIME.readHfConfig(HF_SEQ_CLS.replace("\"use_dora\": false", "\"use_dora\": true"));
        assertThat(config.useDora()).isTrue();
        assertThat(config).isEqualTo(LoraConfig.builder()
                .r(8).loraAlpha(16).loraDropout(0.1).targetModules("value", "query")
                .modulesToSave(List.of("classifier", "score")).useDora(true).build());
        assertThat(RUNTIME.readUserConfig("{\"peft_type\": \"LORA\", \"use_dora\": true}"))
                .isEqualTo(LoraConfig.builder().useDora(true).build());
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"LORA\", \"use_dora\": \"yes\"}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("key 'use_dora' in LORA config must be a boolean, got \"yes\"");
    }

    @Test
    void hfConfigsAskingForBehaviourWeLackAreRejectedByName() {
        assertThatThrownBy(() -> RUNTIME.readHfConfig(HF_SEQ_CLS.replace("\"use_qalora\": false", "\"use_qalora\": true")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("HF config key 'use_qalora' = true asks for behaviour peft4j does not support yet;"
                        + " only HF's default false is accepted");
        assertThatThrownBy(() -> RUNTIME.readHfConfig(HF_SEQ_CLS.replace("\"eva_config\": null", "\"eva_config\": {\"rho\": 2}")))
                .hasMessage("HF config key 'eva_config' = {\"rho\":2} asks for behaviour peft4j does not support yet;"
                        + " only HF's default null is accepted");
        assertThatThrownBy(() -> RUNTIME.readHfConfig(HF_SEQ_CLS.replace("\"init_lora_weights\": true", "\"init_lora_weights\": \"pissa\"")))
                .hasMessage("lora.init_lora_weights must be one of [true, false, \"gaussian\"], got \"pissa\""
                        + " (HF's other initialisations are not implemented)");
        assertThatThrownBy(() -> RUNTIME.readUserConfig(HF_SEQ_CLS))
                .hasMessageStartingWith("unknown key 'alora_invocation_tokens' in LORA config; known: [alpha_pattern, bias,");
    }

    @Test
    void readsHfValueSpellings() {
        LoraConfig config = (LoraConfig) RUNTIME.readUserConfig("""
                {"peft_type": "LORA", "init_lora_weights": false, "lora_alpha": 12.5,
                 "target_modules": ".*\\\\.(query|value)", "exclude_modules": ["key"], "bias": "all"}""");
        assertThat(config.initLoraWeights()).isEqualTo(InitLoraWeights.RANDOM);
        assertThat(config.loraAlpha()).isEqualTo(12.5);
        assertThat(config.targetModules()).isEqualTo(TargetModules.regex(".*\\.(query|value)"));
        assertThat(config.excludeModules()).isEqualTo(TargetModules.names("key"));
        assertThat(config.bias()).isEqualTo(Bias.ALL);
        LoraConfig single = (LoraConfig) RUNTIME.readUserConfig(
                "{\"peft_type\": \"LORA\", \"layers_to_transform\": 1, \"init_lora_weights\": \"gaussian\"}");
        assertThat(single.layersToTransform()).containsExactly(1);
        assertThat(single.initLoraWeights()).isEqualTo(InitLoraWeights.GAUSSIAN);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"r\": 0                              | lora.r must be > 0, got 0",
        "\"r\": -3                             | lora.r must be > 0, got -3",
        "\"bias\": \"some\"                    | lora.bias must be one of [none, all, lora_only], got 'some'",
        "\"lora_dropout\": 1.0                 | lora.lora_dropout must be in [0, 1), got 1.0",
        "\"lora_dropout\": -0.1                | lora.lora_dropout must be in [0, 1), got -0.1",
        "\"rank_pattern\": {\"query\": 0}      | lora.rank_pattern['query'] must be > 0, got 0",
        "\"rank_pattern\": {\"[q\": 4}         | lora.rank_pattern key '[q' is not a valid regex: Unclosed character class",
        "\"alpha_pattern\": {\"(v\": 4}        | lora.alpha_pattern key '(v' is not a valid regex: Unclosed group",
        "\"init_lora_weights\": \"olora\"      | lora.init_lora_weights must be one of [true, false, \"gaussian\"], got \"olora\" (HF's other initialisations are not implemented)",
        "\"layers_to_transform\": [-1]         | layers_to_transform entries must be >= 0, got [-1]",
        "\"target_modules\": \"all-linear\", \"layers_to_transform\": [0] | lora.layers_to_transform cannot be used when target_modules is a string (all-linear), as in HF PEFT; list the module names instead",
        "\"r\": \"8\"                          | key 'r' in LORA config must be an integer, got \"8\"",
        "\"lora_alpah\": 16                    | unknown key 'lora_alpah' in LORA config; known: [alpha_pattern, bias, exclude_modules, fan_in_fan_out, init_lora_weights, layers_to_transform, lora_alpha, lora_dropout, modules_to_save, r, rank_pattern, target_modules, use_dora, use_rslora]"})
    void invalidValuesFailWithExactMessages(String entry, String message) {
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"LORA\", " + entry + "}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(message);
    }

    @Test
    void javaConstructionValidatesToo() {
        assertThatThrownBy(() -> LoraConfig.builder().r(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lora.r must be > 0, got 0");
        assertThatThrownBy(() -> LoraConfig.builder().loraAlpha(Double.NaN).build())
                .hasMessage("lora.lora_alpha must be a finite number, got NaN");
        assertThatThrownBy(() -> LoraConfig.builder().alphaPattern(Map.of("value", Double.POSITIVE_INFINITY)).build())
                .hasMessage("lora.alpha_pattern['value'] must be a finite number, got Infinity");
        assertThatThrownBy(() -> Bias.fromJson("some"))
                .hasMessage("lora.bias must be one of [none, all, lora_only], got 'some'");
    }

    @Test
    void patternKeysMatchThePathEndAndTheFirstMatchWins() {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        ranks.put("layer.0.attention.self.query", 4);
        ranks.put("query", 2);
        ranks.put("uery", 99);
        Map<String, Double> alphas = new LinkedHashMap<>();
        alphas.put("layer\\.[01]\\..*value", 32.0);
        LoraConfig config = LoraConfig.builder().rankPattern(ranks).alphaPattern(alphas).build();
        assertThat(config.rankFor("bert.encoder.layer.0.attention.self.query")).isEqualTo(4);
        assertThat(config.rankFor("encoder.layer.0.attention.self.query")).isEqualTo(4);
        assertThat(config.rankFor("bert.encoder.layer.1.attention.self.query")).isEqualTo(2);
        assertThat(config.rankFor("bert.encoder.layer.1.attention.self.value")).isEqualTo(8);
        assertThat(config.rankFor("bert.encoder.layer.1.attention.self.subquery")).isEqualTo(8);
        assertThat(config.alphaFor("bert.encoder.layer.1.attention.self.value")).isEqualTo(32.0);
        assertThat(config.alphaFor("bert.encoder.layer.2.attention.self.value")).isEqualTo(8.0);
        assertThat(config.alphaFor("bert.encoder.layer.1.attention.self.query")).isEqualTo(8.0);
    }
}
