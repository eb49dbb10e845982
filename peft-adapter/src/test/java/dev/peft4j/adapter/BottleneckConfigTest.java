package dev.peft4j.adapter;

import static dev.peft4j.adapter.BottleneckTesting.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.runtime.InvalidConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys, per-placement defaults (AdapterHub's presets), JSON and validation. */
class BottleneckConfigTest {

    @Test
    void pfeifferIsTheDefaultWithAdapterHubsSeqBnValues() {
        BottleneckConfig config = BottleneckConfig.defaults();
        assertThat(config.placement()).isEqualTo(BottleneckPlacement.PFEIFFER);
        assertThat(config.reductionFactor()).isEqualTo(16);
        assertThat(config.bottleneckSize()).isNull();
        assertThat(config.nonLinearity()).isEqualTo(BottleneckNonLinearity.RELU);
        assertThat(config.initWeights()).isEqualTo(BottleneckInit.ZERO_UP);
        assertThat(config.scaling()).isEqualTo(1.0);
        assertThat(config.modulesToSave()).isEmpty();
        assertThat(config.layersToTransform()).isNull();
        assertThat(RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\"}")).isEqualTo(config);
    }

    @Test
    void houlsbyAndParallelTakeTheirPresetsDefaults() {
        BottleneckConfig houlsby = (BottleneckConfig) RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\", \"placement\": \"houlsby\"}");
        assertThat(houlsby).isEqualTo(new BottleneckConfig(BottleneckPlacement.HOULSBY, 16, null, BottleneckNonLinearity.SWISH,
                BottleneckInit.ZERO_UP, 1.0, List.of(), null));
        BottleneckConfig parallel = (BottleneckConfig) RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\", \"placement\": \"parallel\"}");
        assertThat(parallel).isEqualTo(new BottleneckConfig(BottleneckPlacement.PARALLEL, 2, null, BottleneckNonLinearity.RELU,
                BottleneckInit.ZERO_UP, 4.0, List.of(), null));
        assertThat(RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\", \"placement\": \"par_bn\"}")).isEqualTo(parallel);
        assertThat(RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\", \"placement\": \"double_seq_bn\"}")).isEqualTo(houlsby);
        assertThat(RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\", \"placement\": \"seq_bn\"}"))
                .isEqualTo(BottleneckConfig.defaults());
        // explicit values win over the preset's
        BottleneckConfig custom = (BottleneckConfig) RUNTIME.readUserConfig("""
                {"peft_type": "BOTTLENECK", "placement": "houlsby", "non_linearity": "gelu", "scaling": 0.5,
                 "reduction_factor": 8}""");
        assertThat(custom.nonLinearity()).isEqualTo(BottleneckNonLinearity.GELU);
        assertThat(custom.scaling()).isEqualTo(0.5);
        assertThat(custom.reductionFactor()).isEqualTo(8);
    }

    @Test
    void writesSortedSnakeCaseJsonAndReadsItBack() {
        assertThat(RUNTIME.writeConfig(BottleneckConfig.defaults())).isEqualTo("""
                {
                  "peft_type": "BOTTLENECK",
                  "bottleneck_size": null,
                  "init_weights": "zero_up",
                  "layers_to_transform": null,
                  "modules_to_save": [],
                  "non_linearity": "relu",
                  "placement": "pfeiffer",
                  "reduction_factor": 16,
                  "scaling": 1.0
                }""");
        BottleneckConfig config = new BottleneckConfig(BottleneckPlacement.PARALLEL, null, 48, BottleneckNonLinearity.TANH,
                BottleneckInit.HOULSBY, 2.5, List.of("classifier"), List.of(0, 1));
        String json = RUNTIME.writeConfig(config);
        assertThat(json).contains("\"placement\": \"parallel\"", "\"reduction_factor\": null", "\"bottleneck_size\": 48",
                "\"init_weights\": \"houlsby\"", "\"non_linearity\": \"tanh\"");
        assertThat(RUNTIME.readUserConfig(json)).isEqualTo(config);
        for (BottleneckPlacement placement : BottleneckPlacement.values()) {
            BottleneckConfig preset = BottleneckConfig.of(placement);
            assertThat(RUNTIME.readUserConfig(RUNTIME.writeConfig(preset))).isEqualTo(preset);
        }
    }

    @Test
    void readsAdapterHubSpellings() {
        BottleneckConfig config = (BottleneckConfig) RUNTIME.readUserConfig("""
                {"peft_type": "BOTTLENECK", "non_linearity": "silu", "init_weights": "mam_adapter", "layers_to_transform": 1}""");
        assertThat(config.nonLinearity()).isEqualTo(BottleneckNonLinearity.SWISH);
        assertThat(config.initWeights()).isEqualTo(BottleneckInit.ZERO_UP);
        assertThat(config.layersToTransform()).containsExactly(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"reduction_factor\": 0            | bottleneck.reduction_factor must be > 0, got 0",
        "\"reduction_factor\": -4           | bottleneck.reduction_factor must be > 0, got -4",
        "\"bottleneck_size\": 0             | bottleneck.bottleneck_size must be > 0, got 0",
        "\"placement\": \"serial\"          | bottleneck.placement must be one of [pfeiffer, houlsby, parallel] (or AdapterHub's seq_bn, double_seq_bn, par_bn), got 'serial'",
        "\"non_linearity\": \"leakyrelu\"   | bottleneck.non_linearity must be one of [relu, swish, silu, gelu, tanh], got 'leakyrelu'",
        "\"init_weights\": \"kaiming\"      | bottleneck.init_weights must be one of [zero_up, bert, houlsby] (mam_adapter reads as zero_up), got 'kaiming'",
        "\"layers_to_transform\": [-1]      | layers_to_transform entries must be >= 0, got [-1]",
        "\"reduction_factor\": \"16\"       | key 'reduction_factor' in BOTTLENECK config must be an integer, got \"16\"",
        "\"reduction\": 16                  | unknown key 'reduction' in BOTTLENECK config; known: [bottleneck_size, init_weights, layers_to_transform, modules_to_save, non_linearity, placement, reduction_factor, scaling]"})
    void invalidValuesFailWithExactMessages(String entry, String message) {
        assertThatThrownBy(() -> RUNTIME.readUserConfig("{\"peft_type\": \"BOTTLENECK\", " + entry + "}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(message);
    }

    @Test
    void javaConstructionValidatesToo() {
        assertThatThrownBy(() -> BottleneckConfig.defaults().withWidth(0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bottleneck.reduction_factor must be > 0, got 0");
        assertThatThrownBy(() -> new BottleneckConfig(null, null, null, null, null, Double.NaN, null, null))
                .hasMessage("bottleneck.scaling must be a finite number, got NaN");
        assertThatThrownBy(() -> BottleneckPlacement.fromJson("serial")).hasMessageEndingWith("got 'serial'");
    }

    @Test
    void bottleneckWidthFollowsAdapterHubsIntegerDivision() {
        assertThat(BottleneckConfig.defaults().bottleneckSizeFor(384)).isEqualTo(24);
        assertThat(BottleneckConfig.of(BottleneckPlacement.PARALLEL).bottleneckSizeFor(384)).isEqualTo(192);
        assertThat(BottleneckConfig.defaults().withWidth(5, null).bottleneckSizeFor(16)).isEqualTo(3);
        assertThat(BottleneckConfig.defaults().withWidth(null, 48).bottleneckSizeFor(384)).isEqualTo(48);
        assertThat(BottleneckConfig.defaults().withWidth(null, 512).bottleneckSizeFor(384)).isEqualTo(512);
        assertThat(BottleneckConfig.defaults().withWidth(16, 24).bottleneckSizeFor(384)).isEqualTo(24);
        assertThatThrownBy(() -> BottleneckConfig.defaults().withWidth(16, 32).bottleneckSizeFor(384))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bottleneck.bottleneck_size 32 disagrees with reduction_factor 16 for hidden size 384"
                        + " (384 / 16 = 24); give only one of them");
        assertThatThrownBy(() -> BottleneckConfig.defaults().withWidth(32, null).bottleneckSizeFor(16))
                .hasMessage("bottleneck.reduction_factor 32 leaves no bottleneck for hidden size 16 (16 / 32 = 0);"
                        + " use a smaller factor or bottleneck_size");
    }

    @Test
    void lenientReadsAcceptAdapterHubKeysOnlyAtTheirOffValue() {
        String json = """
                {"peft_type": "BOTTLENECK", "placement": "pfeiffer", "ln_after": false, "use_gating": false,
                 "dropout": 0.0, "leave_out": [], "inv_adapter": null, "phm_layer": false, "task_type": "SEQ_CLS"}""";
        assertThat(RUNTIME.readHfConfig(json)).isEqualTo(BottleneckConfig.defaults());
        assertThatThrownBy(() -> RUNTIME.readHfConfig(json.replace("\"dropout\": 0.0", "\"dropout\": 0.1")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("HF config key 'dropout' = 0.1 asks for behaviour peft4j does not support yet;"
                        + " only HF's default 0.0 is accepted");
        assertThatThrownBy(() -> RUNTIME.readHfConfig(json.replace("\"use_gating\": false", "\"mh_adapter\": true")))
                .hasMessageStartingWith("unknown HF config key 'mh_adapter' = true in BOTTLENECK config; known: [");
    }
}
