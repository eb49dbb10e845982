package dev.peft4j.adapter;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where bottleneck adapters sit in the pre-LayerNorm decoder layers peft4j builds, by HF module
 * path: after the attention output projection and after the feed-forward output projection (the
 * sub-layer outputs, before the layer's residual add), AdapterHub's placement for GPT-2 and Llama
 * ({@code attention_adapters} and {@code output_adapters} fed the sub-layer output and the residual
 * stream, with no LayerNorm of their own). The residual stream the feed-forward sub-layer adds to is
 * the input of its pre-LayerNorm, read there by a {@link BottleneckResidualTap}.
 *
 * @param architecture HF's {@code model_type} the layout was written for
 * @param attentionOutput regex of the attention output projections
 * @param feedForwardOutput regex of the feed-forward output projections
 * @param feedForwardNorm regex of the LayerNorms (RMSNorms) in front of the feed-forward sub-layers,
 *     whose input is the residual stream {@code r}
 */
public record BottleneckDecoderLayout(String architecture, String attentionOutput, String feedForwardOutput,
        String feedForwardNorm) {

    /** Llama: {@code model.layers.N.self_attn.o_proj}, {@code mlp.down_proj}, {@code post_attention_layernorm}. */
    public static final BottleneckDecoderLayout LLAMA = new BottleneckDecoderLayout("llama",
            ".*layers\\.\\d+\\.self_attn\\.o_proj", ".*layers\\.\\d+\\.mlp\\.down_proj", ".*layers\\.\\d+\\.post_attention_layernorm");

    /** GPT-2: {@code transformer.h.N.attn.c_proj}, {@code mlp.c_proj}, {@code ln_2}. */
    public static final BottleneckDecoderLayout GPT2 = new BottleneckDecoderLayout("gpt2",
            ".*h\\.\\d+\\.attn\\.c_proj", ".*h\\.\\d+\\.mlp\\.c_proj", ".*h\\.\\d+\\.ln_2");

    /** Mistral and Qwen2 share Llama's module paths. */
    private static final Map<String, BottleneckDecoderLayout> BY_ARCHITECTURE = Map.of("llama", LLAMA, "mistral", LLAMA,
            "qwen2", LLAMA, "gpt2", GPT2);

    /** The architectures bottleneck adapters know: BERT's post-LayerNorm layers and these decoders. */
    public static final List<String> KNOWN_ARCHITECTURES = List.of("bert", "gpt2", "llama", "mistral", "qwen2");

    /**
     * @param architecture HF's {@code model_type}
     * @return the decoder layout, empty for {@code bert} and unknown architectures
     */
    public static Optional<BottleneckDecoderLayout> of(String architecture) {
        return Optional.ofNullable(BY_ARCHITECTURE.get(architecture));
    }

    /**
     * @param architecture HF's {@code model_type}
     * @return an error naming it and the known ones
     */
    static IllegalArgumentException unknown(String architecture) {
        return new IllegalArgumentException("bottleneck adapters do not know where to sit in a '" + architecture
                + "' model; known architectures: " + KNOWN_ARCHITECTURES);
    }

    /**
     * @param placement the arrangement
     * @return the regex of the projections wrapped: both outputs for {@code houlsby}, the
     *     feed-forward output otherwise
     */
    String outputs(BottleneckPlacement placement) {
        return placement.adaptsAttentionOutput() ? "(" + attentionOutput + ")|(" + feedForwardOutput + ")" : feedForwardOutput;
    }
}
