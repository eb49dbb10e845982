package dev.peft4j.adapter;

import dev.peft4j.core.contract.InvalidConfig;
import dev.peft4j.core.contract.PeftMethodContractTest;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.List;

/**
 * Bottleneck adapters (Pfeiffer placement) under the method contract. Per adapter
 * {@code 2 d m + d + m} for hidden {@code d} and bottleneck {@code m = d / reduction_factor}, one
 * adapter per layer.
 */
class BottleneckContractTest extends PeftMethodContractTest {

    private static final long TINY_CLASSIFIER = 16 * 2 + 2;
    private static final long MINILM_CLASSIFIER = 384 * 2 + 2;

    @Override
    protected PeftMethodProvider<?> provider() {
        return new BottleneckProvider();
    }

    /** m = 16 / 4 = 4, wide enough that some ReLU unit is active for every random draw. */
    @Override
    protected PeftConfig tinyConfig() {
        return BottleneckConfig.defaults().withWidth(4, null);
    }

    /** 2 layers x (2 * 16 * 4 + 16 + 4) = 296, plus the classifier copy. */
    @Override
    protected long tinyTrainableParameters() {
        return 2 * (2 * 16 * 4 + 16 + 4) + TINY_CLASSIFIER;
    }

    @Override
    protected PeftConfig miniLmConfig() {
        return BottleneckConfig.defaults();
    }

    /** m = 384 / 16 = 24: 6 layers x 18,840 = 113,040, plus the classifier copy: 113,810. */
    @Override
    protected long miniLmTrainableParameters() {
        return 6 * (2 * 384 * 24 + 384 + 24) + MINILM_CLASSIFIER;
    }

    @Override
    protected List<InvalidConfig> invalidConfigs() {
        return List.of(
                InvalidConfig.of("\"reduction_factor\": 0", "bottleneck.reduction_factor must be > 0, got 0"),
                InvalidConfig.of("\"bottleneck_size\": 0", "bottleneck.bottleneck_size must be > 0, got 0"));
    }

    @Override
    protected boolean freshAdapterIsNoOp() {
        return true;
    }

    @Override
    protected boolean freezesBase() {
        return true;
    }

    @Override
    protected boolean isMethodParameter(String path) {
        return path.matches(".*\\.adapters\\.default\\.adapter_(down|up)\\.(weight|bias)");
    }

    /** Every placement. */
    @Override
    protected List<PeftConfig> roundTripConfigs() {
        return java.util.Arrays.stream(BottleneckPlacement.values())
                .map(placement -> (PeftConfig) BottleneckConfig.of(placement).withWidth(4, null)).toList();
    }
}
