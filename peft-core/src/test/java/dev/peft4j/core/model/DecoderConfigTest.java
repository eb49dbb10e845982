package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LlamaConfig} and {@link Gpt2Config}: HF's defaults, HF's {@code config.json} files, exact errors. */
class DecoderConfigTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The config.json of meta-llama/Llama-2-7b-hf as published (keys we do not model included). */
    private static final String LLAMA_2_7B_HF = """
            {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008, "max_position_embeddings": 4096,
             "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32,
             "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "tie_word_embeddings": false,
             "torch_dtype": "float16", "transformers_version": "4.31.0.dev0", "use_cache": true, "vocab_size": 32000}""";

    @Test
    void llamaReadsHfConfigJsonAndFillsHfDefaults() throws Exception {
        LlamaConfig config = MAPPER.readValue(LLAMA_2_7B_HF, LlamaConfig.class);
        assertThat(config.hiddenSize()).isEqualTo(4096);
        assertThat(config.headDim()).isEqualTo(128);
        assertThat(config.numKeyValueHeads()).isEqualTo(32);
        assertThat(config.rmsNormEps()).isEqualTo(1e-5);
        assertThat(config.ropeTheta()).isEqualTo(10000.0);
        assertThat(config.eosTokenId()).containsExactly(2);
        assertThat(config.tieWordEmbeddings()).isFalse();
        LlamaConfig defaults = MAPPER.readValue("{}", LlamaConfig.class);
        assertThat(defaults).isEqualTo(new LlamaConfig("llama", 32000, 4096, 11008, 32, 32, 32, 128, "silu", 2048, 1e-6, 10000.0,
                false, false, 0.0, false, 0.02, null, List.of(), null, List.of("LlamaForCausalLM")));
        LlamaConfig llama3 = MAPPER.readValue("{\"eos_token_id\": [128001, 128008], \"num_key_value_heads\": 8}", LlamaConfig.class);
        assertThat(llama3.eosTokenId()).containsExactly(128001, 128008);
        assertThat(llama3.numKeyValueHeads()).isEqualTo(8);
    }

    @Test
    void llamaRoundTripsThroughJson() throws Exception {
        LlamaConfig config = TinyDecoders.llamaConfig(true);
        String json = MAPPER.writeValueAsString(config);
        assertThat(json).contains("\"num_key_value_heads\":2", "\"tie_word_embeddings\":true", "\"head_dim\":4");
        assertThat(MAPPER.readValue(json, LlamaConfig.class)).isEqualTo(config);
    }

    @Test
    void gpt2ReadsHfConfigJsonAndFillsHfDefaults() throws Exception {
        Gpt2Config config = MAPPER.readValue("""
                {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
                 "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
                 "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
                 "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null,
                 "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}}, "vocab_size": 50257}""",
                Gpt2Config.class);
        assertThat(config).isEqualTo(MAPPER.readValue("{}", Gpt2Config.class));
        assertThat(config.nInner()).isEqualTo(3072);
        assertThat(config.headDim()).isEqualTo(64);
        assertThat(MAPPER.readValue(MAPPER.writeValueAsString(config), Gpt2Config.class)).isEqualTo(config);
    }

    @Test
    void badLlamaConfigsNameKeyValueAndWhatIsAllowed() {
        assertLlamaError("{\"hidden_size\": 0}", "llama.hidden_size must be > 0, got 0");
        assertLlamaError("{\"num_attention_heads\": 4, \"num_key_value_heads\": 3, \"hidden_size\": 16}",
                "llama.num_attention_heads (4) must be divisible by num_key_value_heads (3)");
        assertLlamaError("{\"hidden_size\": 10, \"num_attention_heads\": 4}", "llama.hidden_size (10) must be divisible by num_attention_heads (4)");
        assertLlamaError("{\"hidden_size\": 12, \"num_attention_heads\": 4}", "llama.head_dim must be even (rotary embeddings rotate pairs), got 3");
        assertLlamaError("{\"hidden_act\": \"gelu\"}", "llama.hidden_act 'gelu' is not supported; supported: [silu]");
        assertLlamaError("{\"model_type\": \"mistral\"}", "llama.model_type 'mistral' is not supported; supported: [llama]");
        assertLlamaError("{\"rms_norm_eps\": 0}", "llama.rms_norm_eps must be > 0 and finite, got 0.0");
        assertLlamaError("{\"attention_dropout\": 1.0}", "llama.attention_dropout must be in [0, 1), got 1.0");
        assertLlamaError("{\"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 2.0}}",
                "llama.rope_scaling {rope_type=linear, factor=2.0} is not supported; supported: null (plain rotary embeddings)");
    }

    @Test
    void badGpt2ConfigsNameKeyValueAndWhatIsAllowed() {
        assertGpt2Error("{\"n_embd\": 100, \"n_head\": 3}", "gpt2.n_embd (100) must be divisible by n_head (3)");
        assertGpt2Error("{\"n_layer\": -1}", "gpt2.n_layer must be > 0, got -1");
        assertGpt2Error("{\"activation_function\": \"relu\"}",
                "gpt2.activation_function 'relu' is not supported; supported: [gelu_new, gelu_pytorch_tanh]");
        assertGpt2Error("{\"scale_attn_by_inverse_layer_idx\": true}", "gpt2.scale_attn_by_inverse_layer_idx true is not supported; supported: false");
        assertGpt2Error("{\"tie_word_embeddings\": false}", "gpt2.tie_word_embeddings false is not supported; supported: true");
        assertGpt2Error("{\"embd_pdrop\": -0.1}", "gpt2.embd_pdrop must be in [0, 1), got -0.1");
    }

    private static void assertLlamaError(String json, String message) {
        assertThatThrownBy(() -> MAPPER.readValue(json, LlamaConfig.class))
                .isInstanceOf(ValueInstantiationException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    private static void assertGpt2Error(String json, String message) {
        assertThatThrownBy(() -> MAPPER.readValue(json, Gpt2Config.class))
                .isInstanceOf(ValueInstantiationException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
