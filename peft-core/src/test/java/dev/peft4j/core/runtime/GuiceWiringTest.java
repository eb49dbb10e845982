package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import dev.peft4j.core.runtime.fixtures.Fixtures;
import dev.peft4j.core.runtime.fixtures.StubProvider;
import dev.peft4j.core.runtime.fixtures.ToyLoraConfig;
import dev.peft4j.core.runtime.fixtures.ToyLoraProvider;
import dev.peft4j.core.runtime.fixtures.ToyPromptConfig;
import dev.peft4j.core.runtime.fixtures.ToyPromptProvider;
import dev.peft4j.core.spi.KernelProvider;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link PeftRuntimeModule} binds. */
class GuiceWiringTest {

    private static final Key<Map<String, PeftMethodProvider<?>>> PROVIDERS =
            Key.get(new TypeLiteral<Map<String, PeftMethodProvider<?>>>() {});

    private final Injector injector = Guice.createInjector(new PeftRuntimeModule(MethodRegistry.of(Fixtures.fiveMethods())));

    @Test
    void bindsEveryProviderInAMapKeyedByPeftType() {
        Map<String, PeftMethodProvider<?>> providers = injector.getInstance(PROVIDERS);
        assertThat(providers).containsOnlyKeys("BOTTLENECK", "FULL", "LORA", "PREFIX_TUNING", "PROMPT_TUNING");
        assertThat(providers.get("LORA")).isInstanceOf(ToyLoraProvider.class);
    }

    @Test
    void bindsAnObjectMapperKnowingEveryConfigSubtype() throws Exception {
        ObjectMapper mapper = injector.getInstance(ObjectMapper.class);
        assertThat(injector.getInstance(ObjectMapper.class)).isSameAs(mapper);
        PeftConfig config = mapper.readValue("{\"peft_type\": \"PROMPT_TUNING\", \"num_virtual_tokens\": 4}", PeftConfig.class);
        assertThat(config).isEqualTo(new ToyPromptConfig(4));
        assertThat(mapper.writerFor(PeftConfig.class).writeValueAsString(ToyLoraConfig.defaults()))
                .startsWith("{\"peft_type\":\"LORA\",\"bias\":\"none\",");
        assertThat(mapper.readValue("{\"peft_type\": \"PREFIX_TUNING\"}", PeftConfig.class))
                .isEqualTo(new StubProvider.PrefixStub());
    }

    @Test
    void installsModulesOfGuiceContributors() {
        assertThat(injector.getInstance(ToyPromptProvider.Contribution.class))
                .isEqualTo(new ToyPromptProvider.Contribution("PROMPT_TUNING"));
        Injector withoutPrompt = Guice.createInjector(new PeftRuntimeModule(MethodRegistry.of(List.of(new ToyLoraProvider()))));
        assertThat(withoutPrompt.getExistingBinding(Key.get(ToyPromptProvider.Contribution.class))).isNull();
    }

    @Test
    void contributorWithoutModuleIsNamed() {
        var broken = new NullModuleProvider();
        assertThatThrownBy(() -> new PeftRuntimeModule(MethodRegistry.of(List.of(broken))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("provider " + NullModuleProvider.class.getName()
                        + " implements GuiceContributor but guiceModule() returned null");
    }

    @Test
    void bindsKernelProvidersIntoASetAndInstallsTheirModules() {
        Key<Set<KernelProvider>> kernelSet = Key.get(new TypeLiteral<Set<KernelProvider>>() {});
        assertThat(injector.getInstance(kernelSet)).isEmpty();

        var kernel = new ContributingKernel();
        PeftRuntime runtime = PeftRuntime.of(List.of(new ToyLoraProvider()), List.of(kernel), List.of());
        assertThat(runtime.injector().getInstance(kernelSet)).containsExactly(kernel);
        assertThat(runtime.kernelProviders()).containsExactly(kernel);
        assertThat(runtime.injector().getInstance(ContributingKernel.Marker.class)).isEqualTo(new ContributingKernel.Marker("toy"));
    }

    /** A kernel provider that is never available and binds one value of its own. */
    static final class ContributingKernel implements KernelProvider, GuiceContributor {
        record Marker(String kernel) {}

        @Override
        public String name() {
            return "toy";
        }

        @Override
        public boolean isAvailable() {
            return false;
        }

        @Override
        public Module guiceModule() {
            return binder -> binder.bind(Marker.class).toInstance(new Marker(name()));
        }
    }

    /** A contributor that forgets its module. */
    static final class NullModuleProvider extends StubProvider<StubProvider.PrefixStub> implements GuiceContributor {
        NullModuleProvider() {
            super("BROKEN", "broken", StubProvider.PrefixStub.class);
        }

        @Override
        public Module guiceModule() {
            return null;
        }
    }
}
