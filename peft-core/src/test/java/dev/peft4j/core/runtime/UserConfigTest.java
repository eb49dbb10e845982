package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.runtime.fixtures.Fixtures;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig.Bias;
import dev.peft4j.core.runtime.fixtures.ToyPromptConfig;
import dev.peft4j.core.spi.PeftConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict reading of user-written configs, writing, and round trips. */
class UserConfigTest {

    private static final String LORA_KEYS =
            "[bias, fan_in_fan_out, lora_alpha, lora_dropout, modules_to_save, r, target_modules]";

    private final PeftConfigs configs = new PeftConfigs(MethodRegistry.of(Fixtures.fiveMethods()));

    @Test
    void readsPolymorphicallyOnPeftType() {
        PeftConfig lora = configs.readUserConfig("""
                {"peft_type": "LORA", "r": 16, "lora_alpha": 32, "target_modules": ["query", "value"],
                 "bias": "lora_only", "fan_in_fan_out": true}""");
        assertThat(lora).isEqualTo(new ToyLoraConfig(16, 32.0, 0.0, List.of("query", "value"), Bias.LORA_ONLY, true, List.of()));
        assertThat(configs.readUserConfig("{\"peft_type\": \"PROMPT_TUNING\"}")).isEqualTo(new ToyPromptConfig(20));
        assertThat(configs.readUserConfig("{\"peft_type\": \"FULL\"}")).isEqualTo(new FullFineTuningConfig());
    }

    @Test
    void writesPeftTypeFirstThenSortedSnakeCaseKeys() {
        String json = configs.writeConfig(new ToyLoraConfig(4, 8.0, 0.1, List.of("query"), Bias.NONE, false, List.of()));
        assertThat(json).isEqualTo("""
                {
                  "peft_type": "LORA",
                  "bias": "none",
                  "fan_in_fan_out": false,
                  "lora_alpha": 8.0,
                  "lora_dropout": 0.1,
                  "modules_to_save": [],
                  "r": 4,
                  "target_modules": [
                    "query"
                  ]
                }""");
        assertThat(configs.writeConfig(new FullFineTuningConfig())).isEqualTo("""
                {
                  "peft_type": "FULL"
                }""");
    }

    @Test
    void roundTripsEveryConfig() {
        List<PeftConfig> all = List.of(
                ToyLoraConfig.defaults(),
                new ToyLoraConfig(2, 0.5, 0.25, List.of("a", "b"), Bias.ALL, true, List.of("classifier")),
                new ToyPromptConfig(7),
                new FullFineTuningConfig());
        for (PeftConfig config : all) {
            assertThat(configs.readUserConfig(configs.writeConfig(config))).isEqualTo(config);
        }
    }

    @Test
    void listsConfigKeys() {
        assertThat(configs.configKeys(ToyLoraConfig.class).toString()).isEqualTo(LORA_KEYS);
        assertThat(configs.configKeys(FullFineTuningConfig.class)).isEmpty();
    }

    @Test
    void unknownKeyIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"LORA\", \"lora_alpah\": 16}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("unknown key 'lora_alpah' in LORA config; known: " + LORA_KEYS);
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"FULL\", \"layers_to_freeze\": [1]}"))
                .hasMessage("unknown key 'layers_to_freeze' in FULL config; known: []");
    }

    @Test
    void userConfigsDoNotGetHfLeniency() {
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"LORA\", \"task_type\": \"SEQ_CLS\"}"))
                .hasMessage("unknown key 'task_type' in LORA config; known: " + LORA_KEYS);
    }

    @Test
    void missingOrUnknownPeftTypeListsInstalledMethods() {
        assertThatThrownBy(() -> configs.readUserConfig("{\"r\": 8}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("missing key 'peft_type'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"LORRA\"}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("unknown peft_type 'LORRA'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"lora\"}"))
                .hasMessage("unknown peft_type 'lora'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": 3}"))
                .hasMessage("key 'peft_type' must be a string, got 3; known: " + Fixtures.FIVE_KNOWN);
    }

    @Test
    void wrongValueTypesNameKeyValueAndExpectation() {
        assertThatThrownBy(() -> read("\"r\": \"8\""))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("key 'r' in LORA config must be an integer, got \"8\"");
        assertThatThrownBy(() -> read("\"r\": 8.5"))
                .hasMessage("key 'r' in LORA config must be an integer, got 8.5");
        assertThatThrownBy(() -> read("\"fan_in_fan_out\": \"yes\""))
                .hasMessage("key 'fan_in_fan_out' in LORA config must be a boolean, got \"yes\"");
        assertThatThrownBy(() -> read("\"target_modules\": \"query\""))
                .hasMessage("key 'target_modules' in LORA config must be a list, got \"query\"");
        assertThatThrownBy(() -> read("\"target_modules\": [\"query\", 3]"))
                .hasMessage("key 'target_modules[1]' in LORA config must be a string, got 3");
        assertThatThrownBy(() -> read("\"bias\": \"al\""))
                .hasMessage("key 'bias' in LORA config must be one of [all, lora_only, none], got \"al\"");
    }

    @Test
    void recordValidationMessagePassesThrough() {
        assertThatThrownBy(() -> read("\"r\": 0"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("lora.r must be > 0, got 0")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedJsonIsReportedShortly() {
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"LORA\", \"r\": 8, \"r\": 9}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("malformed config JSON at line 1, column 34: Duplicate field 'r'");
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"LORA\",}"))
                .hasMessageStartingWith("malformed config JSON at line 1, column 22: ")
                .hasMessageNotContaining("Source:");
        assertThatThrownBy(() -> configs.readUserConfig("[1]"))
                .hasMessage("config JSON must be an object, got ARRAY");
        assertThatThrownBy(() -> configs.readUserConfig(""))
                .hasMessage("config JSON is empty");
        assertThatThrownBy(() -> configs.readUserConfig("{\"peft_type\": \"FULL\"} {}"))
                .hasMessageStartingWith("malformed config JSON at line 1, column ");
    }

    @Test
    void filesPrefixMessagesWithThePath(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("lora.json"), "{\"peft_type\": \"LORA\", \"lora_alpah\": 16}");
        assertThatThrownBy(() -> configs.readUserConfig(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(file + ": unknown key 'lora_alpah' in LORA config; known: " + LORA_KEYS);
        Path good = Files.writeString(dir.resolve("good.json"), configs.writeConfig(new ToyPromptConfig(3)));
        assertThat(configs.readUserConfig(good)).isEqualTo(new ToyPromptConfig(3));
    }

    @Test
    void writingAConfigOfNoInstalledMethodFails() {
        PeftConfigs onlyFull = new PeftConfigs(MethodRegistry.of(List.of(new FullFineTuningProvider())));
        assertThatThrownBy(() -> onlyFull.writeConfig(new ToyPromptConfig(3)))
                .hasMessage("no installed method reads config type " + ToyPromptConfig.class.getName() + "; known: [FULL (full)]");
    }

    private PeftConfig read(String members) {
        return configs.readUserConfig("{\"peft_type\": \"LORA\", " + members + "}");
    }
}
