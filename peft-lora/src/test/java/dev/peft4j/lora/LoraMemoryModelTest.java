package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.peft4j.core.memory.HfModelShapes;
import dev.peft4j.core.memory.MemoryAccountant;
import dev.peft4j.core.memory.MemoryBreakdown;
import dev.peft4j.core.memory.OptimizerKind;
import dev.peft4j.core.memory.PlanSettings;
import dev.peft4j.core.memory.PublishedConfigs;
import dev.peft4j.core.memory.WeightFormat;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.target.TargetModules;
import org.junit.jupiter.api.Test;

class LoraMemoryModelTest {

    private static final double GIB = 1L << 30;
    private static final ModelShape LLAMA_2_7B = HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B);
    private static final LoraProvider PROVIDER = new LoraProvider();

    private static MemoryBreakdown account(LoraConfig config, ModelShape shape, boolean recompute) {
        return MemoryAccountant.account(PROVIDER, config, shape, new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 1, 512, recompute));
    }

    @Test
    void llama32ThreeBRank32OnQueryAndValue() {
        // q_proj (3072 -> 3072) and v_proj (3072 -> 8 x 128) in 28 layers: 28 * 32 * (6144 + 4096)
        LoraConfig config = LoraConfig.builder().r(32).targetModules(TargetModules.names("q_proj", "v_proj")).build();
        MemoryBreakdown lora = account(config, HfModelShapes.parse(PublishedConfigs.LLAMA_3_2_3B), false);
        assertThat(lora.trainableParameters()).isEqualTo(9_175_040L);
    }

    @Test
    void llama2SevenBRank16InBf16() {
        LoraConfig config = LoraConfig.builder().r(16).targetModules(TargetModules.names("q_proj", "v_proj")).build();
        MemoryBreakdown lora = account(config, LLAMA_2_7B, false);
        long n = 8_388_608L;
        assertThat(lora.trainableParameters()).isEqualTo(n);
        assertThat(lora.totalParameters()).isEqualTo(6_738_415_616L + n);
        assertThat(lora.frozenWeightBytes()).isEqualTo(2 * 6_738_415_616L);
        assertThat(lora.frozenWeightBytes() / GIB).isCloseTo(12.55, within(0.005));
        assertThat(lora.trainableWeightBytes() + lora.gradientBytes() + lora.optimizerBytes()).isEqualTo(16 * n);
        assertThat(lora.checkpointBytes()).isEqualTo(4 * n);
    }

    @Test
    void llama2SevenBActivationsForOneSequenceOf512WithAndWithoutRecomputation() {
        // DecoderActivations per layer, e = 2, b = 1, s = 512, h = q = kv = 4096, a = 32, i = 11008, no dropout:
        // 2e bsh + e bsq + 2e bs kv + e a s^2 b + e bsq (attention) + 2e bsh + 4e bsi (gated MLP)
        long e = 2;
        long bs = 512;
        long h = 4096;
        long layer = 2 * e * bs * h + e * bs * h + 2 * e * bs * h + e * 32 * bs * 512 + e * bs * h + 2 * e * bs * h + 4 * e * bs * 11008;
        long outside = 2 * e * bs * h + (e + 4) * bs * 32000; // final norm and lm_head inputs, logits, fp32 log-probabilities
        long loraPerLayer = 2 * e * bs * 16; // A x of q_proj and v_proj (lora_dropout 0: A reads the saved input)
        long expected = 32 * (layer + loraPerLayer) + outside;
        long expectedRecompute = 32 * e * bs * h + layer + loraPerLayer + outside;
        LoraConfig config = LoraConfig.builder().r(16).targetModules(TargetModules.names("q_proj", "v_proj")).build();
        assertThat((double) account(config, LLAMA_2_7B, false).activationBytes()).isCloseTo(expected, within(0.01 * expected));
        assertThat((double) account(config, LLAMA_2_7B, true).activationBytes())
                .isCloseTo(expectedRecompute, within(0.01 * expectedRecompute));
        assertThat(expected / GIB).isCloseTo(2.944, within(0.001));
        assertThat(expectedRecompute / GIB).isCloseTo(0.313, within(0.001));
    }

    @Test
    void allLinearDoraAndBiasesCountInClosedForm() {
        ModelShape qwen = HfModelShapes.parse(PublishedConfigs.QWEN2_0_5B);
        LoraConfig allLinear = LoraConfig.builder().r(8).targetModules(TargetModules.allLinear()).useDora(true)
                .bias(LoraConfig.Bias.LORA_ONLY).build();
        // per layer: q (896->896), k, v (896->128), o (896->896), gate, up (896->4864), down (4864->896); lm_head excluded
        long rankTerms = 8L * ((896 + 896) + 2 * (896 + 128) + (896 + 896) + 2 * (896 + 4864) + (4864 + 896));
        long magnitudes = 896 + 128 + 128 + 896 + 4864 + 4864 + 896;
        long biases = 896 + 128 + 128; // Qwen2's q/k/v biases, trained in place
        assertThat(account(allLinear, qwen, false).trainableParameters()).isEqualTo(24 * (rankTerms + magnitudes + biases));
    }

    @Test
    void targetsThatMatchNothingAreNamed() {
        LoraConfig config = LoraConfig.builder().targetModules(TargetModules.names("query")).build();
        assertThatThrownBy(() -> account(config, LLAMA_2_7B, false))
                .hasMessageStartingWith("target_modules entry 'query' matches no module; closest: ");
    }
}
