package dev.peft4j.core.full;

import dev.peft4j.core.contract.InvalidConfig;
import dev.peft4j.core.contract.PeftMethodContractTest;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.util.List;

/** Full fine-tuning under the method contract: nothing injected, every parameter trains. */
class FullFineTuningContractTest extends PeftMethodContractTest {

    @Override
    protected PeftMethodProvider<?> provider() {
        return new FullFineTuningProvider();
    }

    @Override
    protected PeftConfig tinyConfig() {
        return new FullFineTuningConfig();
    }

    /**
     * Every parameter of TinyBert {@code SEQ_CLS} (no pooler): embeddings {@code (V + P + T) h + 2h}
     * = (50 + 32 + 2) 16 + 32 = 1,376; per layer {@code 4 (h^2 + h) + 4h + (h I + I) + (I h + h)}
     * = 1,088 + 64 + 544 + 528 = 2,224, two layers; classifier {@code 2h + 2} = 34.
     */
    @Override
    protected long tinyTrainableParameters() {
        return 1_376 + 2 * 2_224 + 34;
    }

    @Override
    protected PeftConfig miniLmConfig() {
        return new FullFineTuningConfig();
    }

    /**
     * all-MiniLM-L6-v2 without its pooler plus the classifier, by the same terms: embeddings
     * (30,522 + 512 + 2) 384 + 768 = 11,918,592; per layer 591,360 + 1,536 + 591,360 + 590,208 =
     * 1,774,464, six layers; classifier 770.
     */
    @Override
    protected long miniLmTrainableParameters() {
        return 11_918_592L + 6 * 1_774_464L + 770;
    }

    @Override
    protected List<InvalidConfig> invalidConfigs() {
        return List.of(InvalidConfig.of("\"r\": 8", "unknown key 'r' in FULL config; known: []"));
    }

    @Override
    protected boolean freshAdapterIsNoOp() {
        return true;
    }

    @Override
    protected boolean freezesBase() {
        return false;
    }

    @Override
    protected boolean isMethodParameter(String path) {
        return true;
    }
}
