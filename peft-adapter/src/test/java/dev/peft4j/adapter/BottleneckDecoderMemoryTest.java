package dev.peft4j.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.memory.HfModelShapes;
import dev.peft4j.core.memory.PublishedConfigs;
import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;
import org.junit.jupiter.api.Test;

/** Bottleneck adapters planned on published decoder configs ({@code peft plan}): counts in closed form. */
class BottleneckDecoderMemoryTest {

    private static final TrainingWorkload WORKLOAD = new TrainingWorkload(1, 512, 2, TrainingWorkload.Retention.ALL_INTERMEDIATES);

    private static MemoryFootprint plan(BottleneckPlacement placement, String config) {
        return new BottleneckMemoryModel().footprint(BottleneckConfig.of(placement), HfModelShapes.parse(config), WORKLOAD);
    }

    @Test
    void llama2SevenBHoulsbyHasTwoAdaptersPerLayer() {
        // d 4096, reduction factor 16: m 256; 2 d m + d + m = 2,101,504 per adapter, 2 per layer, 32 layers
        MemoryFootprint footprint = plan(BottleneckPlacement.HOULSBY, PublishedConfigs.LLAMA_2_7B);
        assertThat(footprint.addedParameters()).isEqualTo(64L * 2_101_504);
        assertThat(footprint.layerActivationBytes()).hasSize(32).allMatch(bytes -> bytes > 0);
    }

    @Test
    void gpt2SmallPfeifferHasOneAdapterPerLayer() {
        // d 768, m 48: 2 * 768 * 48 + 768 + 48 = 74,544 per adapter, 12 layers
        assertThat(plan(BottleneckPlacement.PFEIFFER, PublishedConfigs.GPT2).addedParameters()).isEqualTo(12L * 74_544);
    }

    @Test
    void aFamilyWithoutKnownPlacesIsRefusedByName() {
        ModelShape bert = HfModelShapes.parse(PublishedConfigs.BERT_BASE);
        ModelShape renamed = new ModelShape("t5", bert.hiddenSize(), bert.numLayers(), bert.numAttentionHeads(), bert.numKeyValueHeads(),
                bert.headDim(), bert.intermediateSize(), bert.vocabSize(), bert.maxPositionEmbeddings(), bert.tieWordEmbeddings(),
                bert.hiddenDropout(), bert.attentionDropout(), bert.defaultTargetModules(), bert.parameters(), bert.linears(),
                bert.savedHeads());
        assertThatThrownBy(() -> new BottleneckMemoryModel().footprint(BottleneckConfig.defaults(), renamed, WORKLOAD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bottleneck adapters do not know where to sit in a 't5' model; known architectures:"
                        + " [bert, gpt2, llama, mistral, qwen2]");
    }
}
