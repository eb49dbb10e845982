package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.memory.HfModelShapes;
import dev.peft4j.core.memory.MemoryAccountant;
import dev.peft4j.core.memory.MemoryBreakdown;
import dev.peft4j.core.memory.OptimizerKind;
import dev.peft4j.core.memory.PlanSettings;
import dev.peft4j.core.memory.PublishedConfigs;
import dev.peft4j.core.memory.WeightFormat;
import dev.peft4j.core.spi.ModelShape;
import org.junit.jupiter.api.Test;

class PromptLearningMemoryModelTest {

    private static final ModelShape LLAMA_3_2_3B = HfModelShapes.parse(PublishedConfigs.LLAMA_3_2_3B);
    private static final PlanSettings BF16 = new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 1, 512, false);

    @Test
    void prefixOf50TokensOnLlama32ThreeBIsSizedByTheKeyValueHeads() {
        // 50 virtual tokens x 28 layers x 2 (key, value) x 8 KV heads x 128
        MemoryBreakdown prefix = MemoryAccountant.account(new PrefixTuningProvider(), PrefixTuningConfig.defaults().withNumVirtualTokens(50),
                LLAMA_3_2_3B, BF16);
        assertThat(prefix.trainableParameters()).isEqualTo(2_867_200L);
        assertThat(prefix.checkpointBytes()).isEqualTo(4 * 2_867_200L);
    }

    @Test
    void prefixProjectionTrainsTheMlpAndSavesTheTable() {
        MemoryBreakdown projected = MemoryAccountant.account(new PrefixTuningProvider(),
                PrefixTuningConfig.defaults().withNumVirtualTokens(50).withPrefixProjection(true, 512), LLAMA_3_2_3B, BF16);
        long kv = 1024;
        long table = 50 * 28 * 2 * kv;
        assertThat(projected.trainableParameters()).isEqualTo(50 * kv + (kv * 512 + 512) + (512 * 28 * 2 * kv + 28 * 2 * kv));
        assertThat(projected.checkpointBytes()).isEqualTo(4 * table);
    }

    @Test
    void promptTuningTrainsVirtualTokenEmbeddingsAndLengthensEverySequence() {
        PromptTuningConfig config = new PromptTuningConfig(20, null, null, null, null, null, null, null);
        MemoryBreakdown prompt = MemoryAccountant.account(new PromptTuningProvider(), config, LLAMA_3_2_3B, BF16);
        assertThat(prompt.trainableParameters()).isEqualTo(20 * 3072);
        // 20 virtual tokens on 512 real ones cost the base activations of 532 tokens plus the prompt
        // expanded over the batch (b n d, bf16): compare with 1 virtual token on 531 real ones
        PromptTuningConfig one = new PromptTuningConfig(1, null, null, null, null, null, null, null);
        MemoryBreakdown sameLength = MemoryAccountant.account(new PromptTuningProvider(), one, LLAMA_3_2_3B,
                new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 1, 531, false));
        assertThat(prompt.activationBytes() - sameLength.activationBytes()).isEqualTo((20 - 1) * 3072L * 2);
    }

    @Test
    void modelKeysMustAgreeWithTheShape() {
        PrefixTuningConfig wrong = new PrefixTuningConfig(50, null, null, null, 32, null, null, null);
        assertThatThrownBy(() -> MemoryAccountant.account(new PrefixTuningProvider(), wrong, LLAMA_3_2_3B, BF16))
                .hasMessage("prefix.num_layers is 32, but the model has 28 layers");
    }
}
