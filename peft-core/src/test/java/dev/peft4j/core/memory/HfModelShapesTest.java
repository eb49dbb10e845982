package dev.peft4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.spi.ModelShape;
import org.junit.jupiter.api.Test;

class HfModelShapesTest {

    @Test
    void llama2SevenBHasItsPublishedParameterCount() {
        ModelShape shape = HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B);
        assertThat(shape.parameterCount()).isEqualTo(6_738_415_616L);
        assertThat(shape.family()).isEqualTo("llama");
        assertThat(shape.keyValueDim()).isEqualTo(4096);
        assertThat(shape.linear("model.layers.31.mlp.down_proj")).isEqualTo(new ModelShape.Linear("model.layers.31.mlp.down_proj", 11008, 4096, false));
    }

    @Test
    void publishedCountsOfOtherFamilies() {
        // Llama-3.2-3B 3.21B (GQA 8 x 128, tied), Mistral-7B 7.24B, Qwen2-0.5B 0.49B (q/k/v biases, tied),
        // GPT-2 124M (n_inner null -> 3072, tied head), bert-base-uncased 110M (BertModel with pooler)
        assertThat(HfModelShapes.parse(PublishedConfigs.LLAMA_3_2_3B).parameterCount()).isEqualTo(3_212_749_824L);
        assertThat(HfModelShapes.parse(PublishedConfigs.MISTRAL_7B).parameterCount()).isEqualTo(7_241_732_096L);
        assertThat(HfModelShapes.parse(PublishedConfigs.QWEN2_0_5B).parameterCount()).isEqualTo(494_032_768L);
        ModelShape gpt2 = HfModelShapes.parse(PublishedConfigs.GPT2);
        assertThat(gpt2.parameterCount()).isEqualTo(124_439_808L);
        assertThat(gpt2.intermediateSize()).isEqualTo(3072);
        assertThat(gpt2.linear("transformer.h.0.attn.c_attn").outFeatures()).isEqualTo(2304);
        assertThat(HfModelShapes.parse(PublishedConfigs.BERT_BASE).parameterCount()).isEqualTo(109_482_240L);
    }

    @Test
    void familyFallsBackToArchitectures() {
        String json = PublishedConfigs.QWEN2_0_5B.replace("\"model_type\": \"qwen2\",", "");
        assertThat(HfModelShapes.parse(json).family()).isEqualTo("qwen2");
    }

    @Test
    void layerCountAndParameterCountAreBounded() {
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B.replace("\"num_hidden_layers\": 32",
                "\"num_hidden_layers\": 1001"), "big.json"))
                .hasMessage("big.json (llama) num_hidden_layers must be <= 1000 (the planner lists every layer), got 1001");
        assertThat(HfModelShapes.parse(PublishedConfigs.GPT2.replace("\"n_layer\": 12", "\"n_layer\": 1000")).numLayers()).isEqualTo(1000);
        String huge = PublishedConfigs.LLAMA_2_7B.replace("\"hidden_size\": 4096", "\"hidden_size\": 1073741824")
                .replace("\"intermediate_size\": 11008", "\"intermediate_size\": 1073741824");
        assertThatThrownBy(() -> HfModelShapes.parse(huge, "huge.json"))
                .hasMessage("model too large to account: huge.json (llama) parameter count overflows 64 bits");
    }

    @Test
    void badInputNamesTheField() {
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B.replace("\"intermediate_size\": 11008,", "")))
                .hasMessage("config.json (llama) is missing 'intermediate_size'");
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B.replace("\"num_hidden_layers\": 32", "\"num_hidden_layers\": 0")))
                .hasMessage("config.json (llama) num_hidden_layers must be > 0, got 0");
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.GPT2.replace("\"n_embd\": 768", "\"n_embd\": -768")))
                .hasMessage("config.json (gpt2) n_embd must be > 0, got -768");
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.LLAMA_2_7B.replace("\"num_attention_heads\": 32", "\"num_attention_heads\": 30")))
                .hasMessage("config.json (llama) hidden_size (4096) must be divisible by num_attention_heads (30)");
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.BERT_BASE.replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 7")))
                .hasMessage("config.json (bert) hidden_size (768) must be divisible by num_attention_heads (7)");
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.MISTRAL_7B.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5")))
                .hasMessage("config.json (mistral) num_attention_heads (32) must be divisible by num_key_value_heads (5)");
        assertThatThrownBy(() -> HfModelShapes.parse("{\"model_type\": \"falcon\", \"hidden_size\": 4544}"))
                .hasMessage("config.json model_type 'falcon' is not supported; supported: [bert, gpt2, llama, mistral, qwen2]");
        assertThatThrownBy(() -> HfModelShapes.parse("{\"architectures\": [\"FalconForCausalLM\"]}"))
                .hasMessage("config.json architectures ['FalconForCausalLM'] is not supported; supported: Bert*, GPT2*, Llama*, Mistral*, Qwen2*");
        assertThatThrownBy(() -> HfModelShapes.parse("{\"hidden_size\": 8}"))
                .hasMessage("config.json has neither 'model_type' nor 'architectures'; supported model_type: [bert, gpt2, llama, mistral, qwen2]");
        assertThatThrownBy(() -> HfModelShapes.parse(PublishedConfigs.GPT2.replace("\"n_layer\": 12", "\"n_layer\": \"twelve\"")))
                .hasMessage("config.json (gpt2) n_layer must be a positive integer, got \"twelve\"");
    }
}
