package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.peft4j.core.memory.HfModelShapes;
import dev.peft4j.core.memory.PublishedConfigs;
import dev.peft4j.core.spi.ModelShape;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Parameter counts of the decoder blocks built from published configs, read from the parameters'
 * shapes (nothing is allocated: the blocks are never initialized), and their names and sizes against
 * {@link HfModelShapes}, which reads the same configs the way HF transformers names the tensors.
 */
class DecoderParameterCountTest {

    @Test
    void llama2SevenBHasItsPublishedCountAndHfTensorNames() {
        LlamaConfig config = TinyDecoders.parse(PublishedConfigs.LLAMA_2_7B, LlamaConfig.class);
        LlamaForCausalLM model = new LlamaForCausalLM(config);
        assertThat(Parameters.count(model, false)).isEqualTo(6_738_415_616L);
        assertThat(model.isInitialized()).isFalse();
        assertThat(Parameters.byName(model)).containsKey("lm_head.weight").hasSize(2 + 32 * 9 + 1);
        assertThat(elementsByName(model)).isEqualTo(elementsByName(HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B)));
    }

    @Test
    void aTiedGqaLlamaCountsTheSharedEmbeddingOnce() {
        LlamaConfig config = TinyDecoders.parse(PublishedConfigs.LLAMA_3_2_3B, LlamaConfig.class);
        LlamaForCausalLM model = new LlamaForCausalLM(config);
        // Llama-3.2-3B: 3,212,749,824 (8 key/value heads of 128, head tied to the 128256 x 3072 embedding)
        assertThat(Parameters.count(model, false)).isEqualTo(3_212_749_824L);
        assertThat(Parameters.byName(model)).doesNotContainKey("lm_head.weight");
        assertThat(Parameters.byName(model).get("model.layers.0.self_attn.k_proj.weight").getShape().getShape())
                .containsExactly(8 * 128, 3072);
        assertThat(elementsByName(model)).isEqualTo(elementsByName(HfModelShapes.parse(PublishedConfigs.LLAMA_3_2_3B)));
    }

    @Test
    void gpt2SmallHasItsPublishedCountAndHfTensorNames() {
        Gpt2Config config = TinyDecoders.parse(PublishedConfigs.GPT2, Gpt2Config.class);
        Gpt2LMHeadModel model = new Gpt2LMHeadModel(config);
        assertThat(Parameters.count(model, false)).isEqualTo(124_439_808L);
        assertThat(Parameters.byName(model).get("transformer.h.0.attn.c_attn.weight").getShape().getShape())
                .as("Conv1D stores (in, out)").containsExactly(768, 2304);
        assertThat(Parameters.byName(model)).doesNotContainKey("lm_head.weight");
        assertThat(elementsByName(model)).isEqualTo(elementsByName(HfModelShapes.parse(PublishedConfigs.GPT2)));
    }

    private static Map<String, Long> elementsByName(Block block) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Parameter> entry : Parameters.byName(block).entrySet()) {
            out.put(entry.getKey(), entry.getValue().getShape().size());
        }
        return out;
    }

    private static Map<String, Long> elementsByName(ModelShape shape) {
        Map<String, Long> out = new TreeMap<>();
        for (ModelShape.Tensor tensor : shape.parameters()) {
            out.put(tensor.name(), tensor.elements());
        }
        return out;
    }
}
