package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.runtime.fixtures.Fixtures;
import dev.peft4j.core.runtime.fixtures.OtherLoraProvider;
import dev.peft4j.core.runtime.fixtures.StubProvider;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig;
import dev.peft4j.core.runtime.fixtures.ToyLoraProvider;
import dev.peft4j.core.runtime.fixtures.ToyPromptProvider;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MethodRegistryTest {

    private final MethodRegistry registry = MethodRegistry.of(Fixtures.fiveMethods());

    @Test
    void listsProvidersSortedByPeftType() {
        assertThat(registry.providers()).extracting(PeftMethodProvider::peftType)
                .containsExactly("BOTTLENECK", "FULL", "LORA", "PREFIX_TUNING", "PROMPT_TUNING");
        assertThat(registry.describeInstalled()).isEqualTo(Fixtures.FIVE_KNOWN);
    }

    @Test
    void findsByPeftTypeAliasAndConfigType() {
        assertThat(registry.byPeftType("LORA")).isInstanceOf(ToyLoraProvider.class);
        assertThat(registry.byAlias("prompt")).isInstanceOf(ToyPromptProvider.class);
        assertThat(registry.lookup("FULL")).isInstanceOf(FullFineTuningProvider.class);
        assertThat(registry.lookup("full")).isInstanceOf(FullFineTuningProvider.class);
        assertThat(registry.byConfigType(ToyLoraConfig.class)).isInstanceOf(ToyLoraProvider.class);
        assertThat(registry.findByPeftType("lora")).isEmpty();
        assertThat(registry.findByAlias("LORA")).isEmpty();
    }

    @Test
    void unknownPeftTypeListsBothFormsOfEveryMethod() {
        assertThatThrownBy(() -> registry.byPeftType("LORRA"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown peft_type 'LORRA'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> registry.lookup("LORRA"))
                .hasMessage("unknown peft_type 'LORRA'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> registry.byPeftType("lora"))
                .hasMessage("unknown peft_type 'lora'; known: " + Fixtures.FIVE_KNOWN);
    }

    @Test
    void unknownAliasListsBothFormsOfEveryMethod() {
        assertThatThrownBy(() -> registry.byAlias("lorra"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown method 'lorra'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> registry.lookup("lorra"))
                .hasMessage("unknown method 'lorra'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> registry.lookup("Lora"))
                .hasMessage("unknown method 'Lora'; known: " + Fixtures.FIVE_KNOWN);
        assertThatThrownBy(() -> registry.lookup(null))
                .hasMessage("unknown method null; known: " + Fixtures.FIVE_KNOWN);
    }

    @Test
    void emptyRegistryListsNothing() {
        assertThatThrownBy(() -> MethodRegistry.of(List.of()).lookup("LORA"))
                .hasMessage("unknown peft_type 'LORA'; known: []");
    }

    @Test
    void unknownConfigTypeIsNamed() {
        MethodRegistry onlyFull = MethodRegistry.of(List.of(new FullFineTuningProvider()));
        assertThatThrownBy(() -> onlyFull.byConfigType(ToyLoraConfig.class))
                .hasMessage("no installed method reads config type " + ToyLoraConfig.class.getName()
                        + "; known: [FULL (full)]");
    }

    @Test
    void duplicatePeftTypeNamesBothProviders() {
        assertThatThrownBy(() -> MethodRegistry.of(List.of(new ToyLoraProvider(), new OtherLoraProvider("LORA", "lora2"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate peft_type 'LORA' declared by " + ToyLoraProvider.class.getName()
                        + " and " + OtherLoraProvider.class.getName());
    }

    @Test
    void duplicateAliasNamesBothProviders() {
        assertThatThrownBy(() -> MethodRegistry.of(List.of(new ToyLoraProvider(), new OtherLoraProvider("LORA2", "lora"))))
                .hasMessage("duplicate alias 'lora' declared by " + ToyLoraProvider.class.getName()
                        + " and " + OtherLoraProvider.class.getName());
    }

    @Test
    void sharedConfigTypeNamesBothProviders() {
        var first = new StubProvider<>("ONE", "one", StubProvider.PrefixStub.class);
        var second = new StubProvider<>("TWO", "two", StubProvider.PrefixStub.class);
        assertThatThrownBy(() -> MethodRegistry.of(List.of(first, second)))
                .hasMessage("config type " + StubProvider.PrefixStub.class.getName() + " is used by both "
                        + StubProvider.class.getName() + " (ONE) and " + StubProvider.class.getName()
                        + " (TWO); each method needs its own config type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lora", "LO-RA", "", "_LORA", "9LORA", "LORA "})
    void rejectsInvalidPeftType(String peftType) {
        var provider = new StubProvider<>(peftType, "ok", StubProvider.PrefixStub.class);
        assertThatThrownBy(() -> MethodRegistry.of(List.of(provider)))
                .hasMessage("provider " + StubProvider.class.getName() + ": peftType() '" + peftType
                        + "' must be upper-case letters, digits and underscores starting with a letter ([A-Z][A-Z0-9_]*)");
    }

    @Test
    void acceptsHfPeftTypesWithDigits() {
        var ia3 = new StubProvider<>("IA3", "ia3", StubProvider.PrefixStub.class);
        assertThat(MethodRegistry.of(List.of(ia3)).describeInstalled()).isEqualTo("[IA3 (ia3)]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lora", "lo_ra", "", "1lora", "-lora", "lora!"})
    void rejectsInvalidAlias(String alias) {
        var provider = new StubProvider<>("OK", alias, StubProvider.PrefixStub.class);
        assertThatThrownBy(() -> MethodRegistry.of(List.of(provider)))
                .hasMessage("provider " + StubProvider.class.getName() + ": alias() '" + alias
                        + "' must be lower-case letters, digits and hyphens starting with a letter ([a-z][a-z0-9-]*)");
    }

    @Test
    void rejectsNullNamesAndTypes() {
        String owner = StubProvider.class.getName();
        assertThatThrownBy(() -> MethodRegistry.of(List.of(new StubProvider<>(null, "a", StubProvider.PrefixStub.class))))
                .hasMessage("provider " + owner + ": peftType() null must be upper-case letters, digits and"
                        + " underscores starting with a letter ([A-Z][A-Z0-9_]*)");
        assertThatThrownBy(() -> MethodRegistry.of(List.of(new StubProvider<>("A", null, StubProvider.PrefixStub.class))))
                .hasMessageStartingWith("provider " + owner + ": alias() null must be");
        assertThatThrownBy(() -> MethodRegistry.of(List.of(new StubProvider<StubProvider.PrefixStub>("A", "a", null))))
                .hasMessage("provider " + owner + ": configType() returned null");
        assertThatThrownBy(() -> MethodRegistry.of(Arrays.asList(new ToyLoraProvider(), null)))
                .hasMessage("provider list contains null");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void rejectsAbstractConfigType() {
        PeftMethodProvider<?> provider = new StubProvider("A", "a", PeftConfig.class);
        assertThatThrownBy(() -> MethodRegistry.of(List.of(provider)))
                .hasMessage("provider " + StubProvider.class.getName() + ": configType() dev.peft4j.core.spi.PeftConfig"
                        + " must be a concrete class implementing dev.peft4j.core.spi.PeftConfig");
    }
}
