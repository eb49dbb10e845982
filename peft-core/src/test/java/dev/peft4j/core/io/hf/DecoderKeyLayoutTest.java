package dev.peft4j.core.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.io.ModelFormatException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HF's decoder key layouts map onto the causal-LM state-dict names; buffers and tied heads are dropped. */
class DecoderKeyLayoutTest {

    private static final Path DIR = Path.of("/models/tiny");

    private static Map<String, String> weights(String... names) {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : names) {
            sources.put(name, "model.safetensors");
        }
        return sources;
    }

    @Test
    void bareGpt2ModelKeysGainTheTransformerPrefixAndLoseTheMaskBuffers() throws ModelFormatException {
        Map<String, String> bare = weights("wte.weight", "wpe.weight", "h.0.attn.bias", "h.0.attn.masked_bias",
                "h.0.attn.c_attn.weight", "h.0.attn.c_attn.bias", "h.0.attn.c_proj.bias", "ln_f.weight");

        DecoderKeyLayout.Normalised normalised = DecoderKeyLayout.GPT2.normalise(bare, true, DIR);

        assertThat(normalised.fileNames().keySet()).containsExactly("transformer.wte.weight", "transformer.wpe.weight",
                "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
                "transformer.h.0.attn.c_proj.bias", "transformer.ln_f.weight");
        assertThat(normalised.fileNames()).containsEntry("transformer.h.0.attn.c_attn.bias", "h.0.attn.c_attn.bias");
        assertThat(normalised.ignored()).containsExactly(
                "h.0.attn.bias (a buffer, not a parameter)", "h.0.attn.masked_bias (a buffer, not a parameter)");
    }

    @Test
    void gpt2LmHeadModelKeysStayAndItsTiedHeadIsDropped() throws ModelFormatException {
        Map<String, String> full = weights("transformer.wte.weight", "transformer.h.1.attn.bias", "transformer.h.1.mlp.c_fc.weight",
                "lm_head.weight");

        DecoderKeyLayout.Normalised normalised = DecoderKeyLayout.GPT2.normalise(full, true, DIR);

        assertThat(normalised.fileNames().keySet()).containsExactly("transformer.wte.weight", "transformer.h.1.mlp.c_fc.weight");
        assertThat(normalised.sourceFiles()).containsEntry("transformer.h.1.mlp.c_fc.weight", "model.safetensors");
        assertThat(normalised.ignored()).containsExactly("transformer.h.1.attn.bias (a buffer, not a parameter)",
                "lm_head.weight (the head is tied to the input embedding)");
    }

    @Test
    void aNameWithAndWithoutThePrefixIsRefused() {
        Map<String, String> both = weights("transformer.wte.weight", "wte.weight");

        assertThatThrownBy(() -> DecoderKeyLayout.GPT2.normalise(both, true, DIR))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("HF model directory /models/tiny has both 'transformer.wte.weight' (model.safetensors)"
                        + " and 'wte.weight' (model.safetensors)");
    }

    @Test
    void llamaKeepsAnUntiedHeadDropsATiedOneAndOldRotaryBuffers() throws ModelFormatException {
        Map<String, String> llama = weights("model.embed_tokens.weight", "model.layers.0.self_attn.rotary_emb.inv_freq",
                "model.layers.0.self_attn.q_proj.weight", "model.norm.weight", "lm_head.weight");

        DecoderKeyLayout.Normalised untied = DecoderKeyLayout.LLAMA.normalise(llama, false, DIR);
        DecoderKeyLayout.Normalised tied = DecoderKeyLayout.LLAMA.normalise(llama, true, DIR);

        assertThat(untied.fileNames().keySet()).containsExactly("model.embed_tokens.weight",
                "model.layers.0.self_attn.q_proj.weight", "model.norm.weight", "lm_head.weight");
        assertThat(untied.ignored()).containsExactly("model.layers.0.self_attn.rotary_emb.inv_freq (a buffer, not a parameter)");
        assertThat(tied.fileNames()).doesNotContainKey("lm_head.weight");
        assertThat(tied.ignored()).endsWith("lm_head.weight (the head is tied to the input embedding)");
    }

    @Test
    void bareLlamaModelKeysGainTheModelPrefix() throws ModelFormatException {
        Map<String, String> bare = weights("embed_tokens.weight", "layers.0.mlp.gate_proj.weight", "norm.weight", "rotary_emb.inv_freq");

        DecoderKeyLayout.Normalised normalised = DecoderKeyLayout.LLAMA.normalise(bare, true, DIR);

        assertThat(normalised.fileNames().keySet()).containsExactly("model.embed_tokens.weight",
                "model.layers.0.mlp.gate_proj.weight", "model.norm.weight");
        assertThat(normalised.ignored()).containsExactly("rotary_emb.inv_freq (a buffer, not a parameter)");
    }
}
