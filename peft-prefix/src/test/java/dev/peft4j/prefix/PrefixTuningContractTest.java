package dev.peft4j.prefix;

import dev.peft4j.core.contract.InvalidConfig;
import dev.peft4j.core.contract.PeftMethodContractTest;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.List;

/**
 * Prefix tuning without projection under the method contract: one key and one value prefix per
 * layer, {@code num_virtual_tokens * layers * 2 * d} trainable scalars.
 */
class PrefixTuningContractTest extends PeftMethodContractTest {

    private static final long TINY_CLASSIFIER = 16 * 2 + 2;
    private static final long MINILM_CLASSIFIER = 384 * 2 + 2;

    @Override
    protected PeftMethodProvider<?> provider() {
        return new PrefixTuningProvider();
    }

    @Override
    protected PeftConfig tinyConfig() {
        return PrefixTuningConfig.defaults().withNumVirtualTokens(4);
    }

    /** 4 tokens x 2 layers x 2 x 16 = 256, plus the classifier copy. */
    @Override
    protected long tinyTrainableParameters() {
        return 4 * 2 * 2 * 16 + TINY_CLASSIFIER;
    }

    @Override
    protected PeftConfig miniLmConfig() {
        return PrefixTuningConfig.defaults();
    }

    /** 20 tokens x 6 layers x 2 x 384 = 92,160, plus the classifier copy: 92,930. */
    @Override
    protected long miniLmTrainableParameters() {
        return 20 * 6 * 2 * 384 + MINILM_CLASSIFIER;
    }

    @Override
    protected List<InvalidConfig> invalidConfigs() {
        return List.of(InvalidConfig.of("\"num_virtual_tokens\": 0", "prefix.num_virtual_tokens must be > 0, got 0"));
    }

    /** Prefixes take part in every attention layer from the start. */
    @Override
    protected boolean freshAdapterIsNoOp() {
        return false;
    }

    @Override
    protected boolean freezesBase() {
        return true;
    }

    @Override
    protected boolean isMethodParameter(String path) {
        return path.equals("bert.prompt_encoder.default.embedding.weight");
    }

    /** Without and with the projection network (HF saves its output, the prefix). */
    @Override
    protected List<PeftConfig> roundTripConfigs() {
        return List.of(tinyConfig(), PrefixTuningConfig.defaults().withNumVirtualTokens(3).withPrefixProjection(true, 8));
    }
}
