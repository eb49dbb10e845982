package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.name.Names;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningMethod;
import dev.peft4j.core.runtime.fixtures.Fixtures;
import dev.peft4j.core.runtime.fixtures.StubProvider;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig;
import dev.peft4j.core.runtime.fixtures.ToyLoraProvider;
import dev.peft4j.core.runtime.fixtures.ToyPromptConfig;
import dev.peft4j.core.runtime.fixtures.ToyPromptProvider;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftRuntimeTest {

    private final PeftRuntime runtime = PeftRuntime.of(Fixtures.fiveMethods());

    @Test
    void exposesInstalledProvidersSorted() {
        assertThat(runtime.installed()).extracting(PeftMethodProvider::alias)
                .containsExactly("bottleneck", "full", "lora", "prefix", "prompt");
        assertThat(runtime.provider("lora")).isSameAs(runtime.provider("LORA"));
        assertThatThrownBy(() -> runtime.provider("LORRA"))
                .hasMessage("unknown peft_type 'LORRA'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> runtime.provider("lorra"))
                .hasMessage("unknown method 'lorra'; known: " + Fixtures.FIVE_KNOWN);
    }

    @Test
    void createsMethodsThroughTheirProvider() {
        PeftMethod full = runtime.createMethod(runtime.readUserConfig("{\"peft_type\": \"FULL\"}"));
        assertThat(full).isInstanceOf(FullFineTuningMethod.class);
        assertThat(full.freezesBaseModel()).isFalse();
        assertThat(full.config()).isEqualTo(new FullFineTuningConfig());
        PeftMethod lora = runtime.createMethod(ToyLoraConfig.defaults());
        assertThat(lora.config()).isEqualTo(ToyLoraConfig.defaults());
        assertThat(lora.freezesBaseModel()).isTrue();
    }

    @Test
    void createMethodNamesAConfigOfNoInstalledMethod() {
        PeftRuntime onlyLora = PeftRuntime.of(List.of(new ToyLoraProvider()));
        assertThatThrownBy(() -> onlyLora.createMethod(new ToyPromptConfig(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no installed method reads config type " + ToyPromptConfig.class.getName() + "; known: [LORA (lora)]");
    }

    @Test
    void readsAndWritesConfigs(@TempDir Path dir) throws IOException {
        String json = runtime.writeConfig(new ToyPromptConfig(9));
        assertThat(runtime.readUserConfig(json)).isEqualTo(new ToyPromptConfig(9));
        Path file = Files.writeString(dir.resolve("adapter_config.json"),
                "{\"peft_type\": \"PROMPT_TUNING\", \"num_virtual_tokens\": 9, \"task_type\": \"SEQ_CLS\"}");
        assertThat(runtime.readHfConfig(file)).isEqualTo(new ToyPromptConfig(9));
        assertThat(runtime.readHfConfig(Files.readString(file))).isEqualTo(new ToyPromptConfig(9));
        assertThatThrownBy(() -> runtime.readUserConfig(file))
                .hasMessage(file + ": unknown key 'task_type' in PROMPT_TUNING config; known: [num_virtual_tokens]");
        assertThat(runtime.configKeys("prompt")).containsExactly("num_virtual_tokens");
    }

    @Test
    void objectMapperChangesDoNotLoosenTheReaders() {
        runtime.objectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        assertThatThrownBy(() -> runtime.readUserConfig("{\"peft_type\": \"PROMPT_TUNING\", \"x\": 1}"))
                .hasMessage("unknown key 'x' in PROMPT_TUNING config; known: [num_virtual_tokens]");
    }

    @Test
    void invalidHfTableFailsNamingTheProvider() {
        var provider = new StubProvider<>("BAD", "bad", StubProvider.PrefixStub.class) {
            @Override
            public Map<String, Object> hfIgnorableDefaults() {
                return Map.of("Use-Dora", false);
            }
        };
        assertThatThrownBy(() -> PeftRuntime.of(List.of(provider)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("provider " + provider.getClass().getName()
                        + ": hfIgnorableDefaults() key 'Use-Dora' must be snake_case ([a-z][a-z0-9_]*)");
    }

    @Test
    void injectorHoldsContributedAndExtraBindings() {
        PeftRuntime withExtra = PeftRuntime.of(List.of(new ToyPromptProvider()), List.of(new AbstractModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("app")).to("demo");
            }
        }));
        assertThat(withExtra.injector().getInstance(ToyPromptProvider.Contribution.class).from()).isEqualTo("PROMPT_TUNING");
        assertThat(withExtra.injector().getInstance(Key.get(String.class, Names.named("app")))).isEqualTo("demo");
        assertThat(withExtra.injector().getInstance(MethodRegistry.class)).isSameAs(withExtra.registry());
        assertThat(withExtra.injector().getInstance(PeftConfigs.class)).isSameAs(withExtra.configs());
    }
}
