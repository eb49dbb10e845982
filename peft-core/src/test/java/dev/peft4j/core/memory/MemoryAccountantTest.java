package dev.peft4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.spi.ModelShape;
import org.junit.jupiter.api.Test;

class MemoryAccountantTest {

    private static final double GIB = 1L << 30;
    private static final ModelShape LLAMA_2_7B = HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B);

    @Test
    void fullFineTuningOfLlama2SevenBInMixedPrecisionCostsSixteenBytesPerParameter() {
        MemoryBreakdown full = MemoryAccountant.account(new FullFineTuningProvider(), new FullFineTuningConfig(), LLAMA_2_7B,
                new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 1, 512, false));
        long n = 6_738_415_616L;
        assertThat(full.trainableParameters()).isEqualTo(n);
        assertThat(full.frozenWeightBytes()).isZero();
        assertThat(full.trainableWeightBytes()).isEqualTo(2 * n);
        assertThat(full.gradientBytes()).isEqualTo(2 * n);
        assertThat(full.optimizerBytes()).isEqualTo(12 * n);
        long beforeActivations = full.totalBytes() - full.activationBytes();
        assertThat(beforeActivations).isEqualTo(16 * n);
        assertThat(beforeActivations / 1e9).isCloseTo(107.8, within(0.05));
        assertThat(beforeActivations / GIB).isCloseTo(100.4, within(0.05));
        assertThat(full.checkpointBytes()).isEqualTo(4 * n);
    }

    @Test
    void fp32TrainingKeepsNoMasterCopy() {
        MemoryBreakdown full = MemoryAccountant.account(new FullFineTuningProvider(), new FullFineTuningConfig(), LLAMA_2_7B,
                new PlanSettings(WeightFormat.FP32, OptimizerKind.SGD_MOMENTUM, 1, 512, false));
        long n = 6_738_415_616L;
        assertThat(full.trainableWeightBytes()).isEqualTo(4 * n);
        assertThat(full.optimizerBytes()).isEqualTo(4 * n);
        MemoryBreakdown sgd = MemoryAccountant.account(new FullFineTuningProvider(), new FullFineTuningConfig(), LLAMA_2_7B,
                new PlanSettings(WeightFormat.FP32, OptimizerKind.SGD, 1, 512, false));
        assertThat(sgd.optimizerBytes()).isZero();
    }

    @Test
    void quantisedFormatsCountTheirScales() {
        ModelShape.Tensor qProj = new ModelShape.Tensor("q_proj.weight", 4096, 4096);
        long n = 4096L * 4096;
        // NF4: 4 bits, one 8-bit absmax per 64 weights, one fp32 scale per 256 absmaxes (QLoRA: 4.127 bits)
        assertThat(WeightFormat.NF4.bytes(qProj, true)).isEqualTo(n / 2 + n / 64 + 4 * (n / 64 / 256));
        assertThat(8.0 * WeightFormat.NF4.bytes(qProj, true) / n).isCloseTo(4.127, within(0.001));
        // LLM.int8: one byte per weight, one fp32 scale per output row
        assertThat(WeightFormat.INT8.bytes(qProj, true)).isEqualTo(n + 4 * 4096);
        // embeddings, norms and heads stay in the compute dtype (bf16)
        assertThat(WeightFormat.NF4.bytes(qProj, false)).isEqualTo(2 * n);
    }

    @Test
    void countsThatOverflowSixtyFourBitsAreNamedNotWrapped() {
        // 3 x 2^61 elements in fp32: 2^63 x 3 / 2 bytes does not fit a long
        ModelShape.Tensor huge = new ModelShape.Tensor("w", 3L << 30, 1L << 31);
        assertThatThrownBy(() -> WeightFormat.FP32.bytes(huge, false)).isInstanceOf(ArithmeticException.class);
        assertThat(WeightFormat.NF4.bytes(huge, true)).isPositive();
        assertThat(ExactLong.sum(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> ExactLong.product(1L << 32, 1L << 31)).isInstanceOf(ArithmeticException.class);
        ModelShape wide = HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B.replace("\"hidden_size\": 4096", "\"hidden_size\": 33554432")
                .replace("\"intermediate_size\": 11008", "\"intermediate_size\": 1073741824"));
        assertThatThrownBy(() -> MemoryAccountant.account(new FullFineTuningProvider(), new FullFineTuningConfig(), wide,
                new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 1, 512, false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model too large to account: optimizer state bytes overflows 64 bits (llama, hidden_size 33554432,"
                        + " intermediate_size 1073741824, vocab_size 32000, 32 layers, batch 1 x 512 tokens)");
    }

    @Test
    void badSettingsNameTheValue() {
        assertThatThrownBy(() -> new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 0, 512, false))
                .hasMessage("batch_size must be > 0, got 0");
        assertThatThrownBy(() -> new PlanSettings(WeightFormat.BF16, OptimizerKind.ADAMW, 1, -1, false))
                .hasMessage("max_length must be > 0, got -1");
        assertThatThrownBy(() -> WeightFormat.parse("fp8")).hasMessage("dtype must be one of [fp32, fp16, bf16, int8, nf4], got 'fp8'");
        assertThatThrownBy(() -> OptimizerKind.parse("adam")).hasMessage("optimizer must be one of [adamw, sgd, sgd-momentum], got 'adam'");
    }

    @Test
    void gpt2ActivationsMatchKorthikantiInFp16() {
        // Korthikanti et al. 2022 eq. (1): per layer s b h (34 + 5 a s / h) bytes in fp16 with dropout
        ModelShape gpt2 = HfModelShapes.parse(PublishedConfigs.GPT2);
        var workload = new dev.peft4j.core.spi.TrainingWorkload(2, 1024, 2, dev.peft4j.core.spi.TrainingWorkload.Retention.AUTOGRAD_SAVED);
        long s = 1024;
        long b = 2;
        long h = 768;
        long a = 12;
        assertThat(new DecoderActivations().layerBytes(gpt2, workload, s, s)).isEqualTo(s * b * h * 34 + 5 * a * s * s * b);
    }
}
