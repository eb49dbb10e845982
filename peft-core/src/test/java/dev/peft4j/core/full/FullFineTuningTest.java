package dev.peft4j.core.full;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftMethod;
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
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel peft = PeftModel.adapt(TinyBert.create(manager, TaskType.SEQ_CLS), method, ConfigOrigin.USER)) {
            assertThat(peft.trainableParameterCount()).isEqualTo(peft.totalParameterCount()).isPositive();
            assertThat(peft.modulesToSave()).isEmpty();
            assertThat(peft.baseModel().module("classifier")).isInstanceOf(Linear.class);
        }
        assertThatThrownBy(() -> method.apply(null)).isInstanceOf(NullPointerException.class).hasMessage("context");
    }
}
