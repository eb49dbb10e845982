package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.runtime.PeftRuntime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The provider's names and its discovery through the services file. */
class LoraProviderTest {

    @Test
    void declaresHfPeftTypeAndCliAlias() {
        LoraProvider provider = new LoraProvider();
        assertThat(provider.peftType()).isEqualTo("LORA");
        assertThat(provider.alias()).isEqualTo("lora");
        assertThat(provider.configType()).isEqualTo(LoraConfig.class);
        assertThat(provider.create(LoraConfig.defaults()).config()).isEqualTo(LoraConfig.defaults());
        assertThat(provider.create(LoraConfig.defaults()).freezesBaseModel()).isTrue();
    }

    @Test
    void isDiscoveredBesideFullFineTuning() {
        PeftRuntime runtime = PeftRuntime.discover();
        assertThat(runtime.installed()).extracting(p -> p.peftType()).containsExactly("FULL", "LORA");
        assertThat(runtime.provider("lora")).isInstanceOf(LoraProvider.class);
        assertThat(runtime.provider("LORA")).isInstanceOf(LoraProvider.class);
        assertThat(runtime.configKeys("lora")).containsExactly("alpha_pattern", "bias", "exclude_modules", "fan_in_fan_out",
                "init_lora_weights", "layers_to_transform", "lora_alpha", "lora_dropout", "modules_to_save", "r",
                "rank_pattern", "target_modules", "use_dora", "use_rslora");
    }

    @Test
    void hfDefaultsTableHoldsOnlyKeysTheRecordDoesNotModel() {
        PeftRuntime runtime = PeftRuntime.of(List.of(new LoraProvider()));
        assertThat(new LoraProvider().hfIgnorableDefaults().keySet()).doesNotContainAnyElementsOf(runtime.configKeys("lora"));
        assertThat(new LoraProvider().hfIgnorableDefaults()).containsEntry("use_qalora", false).containsEntry("qalora_group_size", 16);
    }
}
