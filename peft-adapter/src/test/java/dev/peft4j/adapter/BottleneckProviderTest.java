package dev.peft4j.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.runtime.PeftRuntime;
import org.junit.jupiter.api.Test;

/** The provider's names, its discovery through the services file and its recipe rate. */
class BottleneckProviderTest {

    @Test
    void declaresPeftTypeAliasAndRate() {
        BottleneckProvider provider = new BottleneckProvider();
        assertThat(provider.peftType()).isEqualTo("BOTTLENECK");
        assertThat(provider.alias()).isEqualTo("bottleneck");
        assertThat(provider.configType()).isEqualTo(BottleneckConfig.class);
        assertThat(provider.create(BottleneckConfig.defaults()).config()).isEqualTo(BottleneckConfig.defaults());
        assertThat(provider.create(BottleneckConfig.defaults()).freezesBaseModel()).isTrue();
        assertThat(provider.recommendedLearningRate()).hasValue(1e-3);
    }

    @Test
    void isDiscoveredBesideFullFineTuning() {
        PeftRuntime runtime = PeftRuntime.discover();
        assertThat(runtime.installed()).extracting(p -> p.peftType()).containsExactly("BOTTLENECK", "FULL");
        assertThat(runtime.provider("bottleneck")).isInstanceOf(BottleneckProvider.class);
        assertThat(runtime.provider("BOTTLENECK")).isInstanceOf(BottleneckProvider.class);
        assertThat(runtime.configKeys("bottleneck")).containsExactly("bottleneck_size", "init_weights", "layers_to_transform",
                "modules_to_save", "non_linearity", "placement", "reduction_factor", "scaling");
    }

    @Test
    void adapterHubKeyTableHoldsOnlyKeysTheRecordDoesNotModel() {
        PeftRuntime runtime = BottleneckTesting.RUNTIME;
        assertThat(new BottleneckProvider().hfIgnorableDefaults().keySet())
                .doesNotContainAnyElementsOf(runtime.configKeys("bottleneck"))
                .contains("ln_after", "use_gating", "phm_layer");
    }
}
