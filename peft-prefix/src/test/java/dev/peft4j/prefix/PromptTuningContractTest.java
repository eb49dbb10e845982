package dev.peft4j.prefix;

import dev.peft4j.core.contract.InvalidConfig;
import dev.peft4j.core.contract.PeftMethodContractTest;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.List;

/**
 * Prompt tuning under the method contract: {@code num_virtual_tokens * d} trainable scalars, the
 * soft prompt prepended to the input embeddings.
 */
class PromptTuningContractTest extends PeftMethodContractTest {

    private static final long TINY_CLASSIFIER = 16 * 2 + 2;
    private static final long MINILM_CLASSIFIER = 384 * 2 + 2;

    @Override
    protected PeftMethodProvider<?> provider() {
        return new PromptTuningProvider();
    }

    @Override
    protected PeftConfig tinyConfig() {
        return PromptTuningConfig.defaults().withNumVirtualTokens(4);
    }

    /** 4 tokens x 16 = 64, plus the classifier copy. */
    @Override
    protected long tinyTrainableParameters() {
        return 4 * 16 + TINY_CLASSIFIER;
    }

    @Override
    protected PeftConfig miniLmConfig() {
        return PromptTuningConfig.defaults();
    }

    /** 20 tokens x 384 = 7,680, plus the classifier copy: 8,450. */
    @Override
    protected long miniLmTrainableParameters() {
        return 20 * 384 + MINILM_CLASSIFIER;
    }

    @Override
    protected List<InvalidConfig> invalidConfigs() {
        return List.of(InvalidConfig.of("\"num_virtual_tokens\": 0", "prompt.num_virtual_tokens must be > 0, got 0"));
    }

    /** The soft prompt takes part in every attention layer from the start. */
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
}
