package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.lora.LoraConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How flag values become JSON: {@code --target-modules} regex versus names, HF's string/list rule. */
class RecordFlagsTest {

    private final ObjectMapper mapper = PeftRuntime.discover().objectMapper();
    private final RecordFlags lora = new RecordFlags(mapper, LoraConfig.class, "method 'lora'");

    @Test
    void aTargetModulesValueWithRegexCharactersIsARegexString() {
        assertThat(lora.parse(List.of("--target-modules", ".*\\.(query|value)")).get("target_modules").toString())
                .isEqualTo("\".*\\\\.(query|value)\"");
        assertThat(lora.parse(List.of("--target-modules", "layer\\.[0-2]\\..*query")).get("target_modules").isTextual()).isTrue();
    }

    @Test
    void plainNamesStayAList() {
        assertThat(lora.parse(List.of("--target-modules", "query,value")).get("target_modules").toString())
                .isEqualTo("[\"query\",\"value\"]");
        assertThat(lora.parse(List.of("--target-modules", "attention.self.query")).get("target_modules").toString())
                .as("a dotted path is a name, not a regex").isEqualTo("[\"attention.self.query\"]");
        assertThat(lora.parse(List.of("--target-modules", "[\"query\"]")).get("target_modules").toString()).isEqualTo("[\"query\"]");
        assertThat(lora.parse(List.of("--target-modules", "all-linear")).get("target_modules").asText()).isEqualTo("all-linear");
    }
}
