package dev.peft4j.core.full;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.PeftMethod;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FullFineTuningTest {

    private final PeftRuntime runtime = PeftRuntime.of(List.of(new FullFineTuningProvider()));

    @Test
    void declaresItsNamesOnce() {
        FullFineTuningProvider provider = new FullFineTuningProvider();
        assertThat(provider.peftType()).isEqualTo("FULL");
        assertThat(provider.alias()).isEqualTo("full");
        assertThat(provider.configType()).isEqualTo(FullFineTuningConfig.class);
    }

    @Test
    void configIsEmptyButValidJson() {
        assertThat(runtime.writeConfig(new FullFineTuningConfig())).isEqualTo("{\n  \"peft_type\": \"FULL\"\n}");
        assertThat(runtime.readUserConfig("{\"peft_type\": \"FULL\"}")).isEqualTo(new FullFineTuningConfig());
        assertThat(runtime.configKeys("full")).isEmpty();
        assertThat(new FullFineTuningConfig().modulesToSave()).isEmpty();
    }

    @Test
    void keepsEveryParameterTrainableAndInjectsNothing() {
        PeftMethod method = runtime.createMethod(new FullFineTuningConfig());
        assertThat(method.freezesBaseModel()).isFalse();
        List<String> calls = new ArrayList<>();
        AdaptableModel model = (AdaptableModel) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AdaptableModel.class}, (proxy, m, args) -> {
                    calls.add(m.getName());
                    return null;
                });
        method.apply(model);
        assertThat(calls).isEmpty();
        assertThatThrownBy(() -> method.apply(null)).isInstanceOf(NullPointerException.class).hasMessage("model");
    }
}
