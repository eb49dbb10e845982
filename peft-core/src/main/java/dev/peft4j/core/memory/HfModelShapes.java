package dev.peft4j.core.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.spi.ModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads an HF {@code config.json} into a {@link ModelShape}, naming tensors and modules as HF
 * transformers does:
 * <ul>
 *   <li>{@code bert} ({@code BertModel}, with its pooler): {@code vocab_size}, {@code hidden_size},
 *       {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size},
 *       {@code max_position_embeddings}, {@code type_vocab_size} (default 2), dropouts (0.1);</li>
 *   <li>{@code gpt2} ({@code GPT2LMHeadModel}, head tied to {@code wte}): {@code n_embd},
 *       {@code n_layer}, {@code n_head}, {@code n_inner} ({@code null}: {@code 4 * n_embd}),
 *       {@code n_positions}, {@code vocab_size}; {@code c_attn} is one fused {@code Conv1D}
 *       {@code (n_embd, 3 n_embd)} stored {@code (in, out)};</li>
 *   <li>{@code llama}, {@code mistral}, {@code qwen2} ({@code *ForCausalLM}): {@code hidden_size},
 *       {@code intermediate_size} (gated MLP: {@code gate_proj}, {@code up_proj}, {@code down_proj}),
 *       {@code num_hidden_layers}, {@code num_attention_heads}, {@code num_key_value_heads}
 *       (default: the heads), {@code head_dim} (default {@code hidden_size / heads}),
 *       {@code vocab_size}, {@code tie_word_embeddings} (default false), {@code attention_bias}
 *       (Llama, default false; Qwen2 always has {@code q/k/v} biases), {@code mlp_bias}; RMSNorms
 *       without bias.</li>
 * </ul>
 * The family comes from {@code model_type}, else from the first of {@code architectures}. At most
 * {@link #MAX_LAYERS} layers; a parameter count over 64 bits is rejected
 * ({@code model too large to account: config.json (llama) parameter count overflows 64 bits}).
 */
public final class HfModelShapes {

    /** The families read. */
    public static final List<String> FAMILIES = List.of("bert", "gpt2", "llama", "mistral", "qwen2");

    /**
     * The most layers read: a shape lists every layer's tensors, and the largest published models
     * have under 200 layers (1,000 plan in under a second more than 32; 10,000 took 25 s).
     */
    public static final int MAX_LAYERS = 1_000;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HfModelShapes() {}

    /**
     * @param file an HF {@code config.json}
     * @return the shape
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException for invalid JSON, an unknown family, or a missing or invalid field
     */
    public static ModelShape read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model config not found: " + file);
        }
        return parse(Files.readString(file), file.toString());
    }

    /**
     * @param json the text of an HF {@code config.json}
     * @return the shape
     * @throws IllegalArgumentException as {@link #read(Path)}
     */
    public static ModelShape parse(String json) {
        return parse(json, "config.json");
    }

    /**
     * @param json the text of an HF {@code config.json}
     * @param source the file's name as the user gave it, used in every message
     * @return the shape
     * @throws IllegalArgumentException as {@link #read(Path)}
     */
    public static ModelShape parse(String json, String source) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(source + " must hold one JSON object");
        }
        String family = family(node, source);
        HfConfigFields fields = new HfConfigFields(node, source, family);
        ModelShape shape = switch (family) {
            case "bert" -> bert(fields);
            case "gpt2" -> gpt2(fields);
            default -> decoder(fields, family);
        };
        try {
            long count = 0;
            for (ModelShape.Tensor tensor : shape.parameters()) {
                count = ExactLong.sum(count, ExactLong.product(tensor.rows(), tensor.columns()));
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("model too large to account: " + source + " (" + family + ") parameter count overflows 64 bits");
        }
        return shape;
    }

    private static String family(JsonNode node, String source) {
        JsonNode type = node.get("model_type");
        if (type != null && !type.isNull()) {
            String family = type.asText().toLowerCase(Locale.ROOT);
            if (!FAMILIES.contains(family)) {
                throw new IllegalArgumentException(source + " model_type '" + type.asText() + "' is not supported; supported: " + FAMILIES);
            }
            return family;
        }
        JsonNode architectures = node.get("architectures");
        if (architectures != null && architectures.isArray() && !architectures.isEmpty()) {
            String architecture = architectures.get(0).asText();
            String lower = architecture.toLowerCase(Locale.ROOT);
            for (String family : FAMILIES) {
                if (lower.startsWith(family)) {
                    return family;
                }
            }
            throw new IllegalArgumentException(source + " architectures ['" + architecture + "'] is not supported; supported: "
                    + "Bert*, GPT2*, Llama*, Mistral*, Qwen2*");
        }
        throw new IllegalArgumentException(source + " has neither 'model_type' nor 'architectures'; supported model_type: " + FAMILIES);
    }

    private static ModelShape bert(HfConfigFields f) {
        int vocab = f.positive("vocab_size");
        int hidden = f.positive("hidden_size");
        int layers = f.layers("num_hidden_layers");
        int heads = f.positive("num_attention_heads");
        int intermediate = f.positive("intermediate_size");
        int positions = f.positive("max_position_embeddings");
        int types = f.positiveOr("type_vocab_size", 2);
        f.divisible("hidden_size", hidden, "num_attention_heads", heads);
        ShapeBuilder b = new ShapeBuilder()
                .matrix("embeddings.word_embeddings.weight", vocab, hidden)
                .matrix("embeddings.position_embeddings.weight", positions, hidden)
                .matrix("embeddings.token_type_embeddings.weight", types, hidden)
                .norm("embeddings.LayerNorm", hidden, true);
        for (int n = 0; n < layers; n++) {
            String p = "encoder.layer." + n + ".";
            b.linear(p + "attention.self.query", hidden, hidden, true)
                    .linear(p + "attention.self.key", hidden, hidden, true)
                    .linear(p + "attention.self.value", hidden, hidden, true)
                    .linear(p + "attention.output.dense", hidden, hidden, true)
                    .norm(p + "attention.output.LayerNorm", hidden, true)
                    .linear(p + "intermediate.dense", hidden, intermediate, true)
                    .linear(p + "output.dense", intermediate, hidden, true)
                    .norm(p + "output.LayerNorm", hidden, true);
        }
        b.linear("pooler.dense", hidden, hidden, true);
        return new ModelShape("bert", hidden, layers, heads, heads, hidden / heads, intermediate, vocab, positions, false,
                f.probability("hidden_dropout_prob", 0.1), f.probability("attention_probs_dropout_prob", 0.1),
                List.of("query", "value"), b.tensors, b.linears, List.of());
    }

    private static ModelShape gpt2(HfConfigFields f) {
        int vocab = f.positive("vocab_size");
        int hidden = f.positive("n_embd");
        int layers = f.layers("n_layer");
        int heads = f.positive("n_head");
        int positions = f.positive("n_positions");
        int inner = f.positiveOr("n_inner", 4 * hidden);
        f.divisible("n_embd", hidden, "n_head", heads);
        ShapeBuilder b = new ShapeBuilder()
                .matrix("transformer.wte.weight", vocab, hidden)
                .matrix("transformer.wpe.weight", positions, hidden);
        for (int n = 0; n < layers; n++) {
            String p = "transformer.h." + n + ".";
            b.norm(p + "ln_1", hidden, true)
                    .conv1d(p + "attn.c_attn", hidden, 3 * hidden)
                    .conv1d(p + "attn.c_proj", hidden, hidden)
                    .norm(p + "ln_2", hidden, true)
                    .conv1d(p + "mlp.c_fc", hidden, inner)
                    .conv1d(p + "mlp.c_proj", inner, hidden);
        }
        b.norm("transformer.ln_f", hidden, true);
        b.linears.add(new ModelShape.Linear("lm_head", hidden, vocab, false));
        return new ModelShape("gpt2", hidden, layers, heads, heads, hidden / heads, inner, vocab, positions, true,
                f.probability("resid_pdrop", 0.1), f.probability("attn_pdrop", 0.1),
                List.of("c_attn"), b.tensors, b.linears, List.of());
    }

    private static ModelShape decoder(HfConfigFields f, String family) {
        int vocab = f.positive("vocab_size");
        int hidden = f.positive("hidden_size");
        int intermediate = f.positive("intermediate_size");
        int layers = f.layers("num_hidden_layers");
        int heads = f.positive("num_attention_heads");
        int kvHeads = f.positiveOr("num_key_value_heads", heads);
        int positions = f.positiveOr("max_position_embeddings", 2048);
        if (!f.has("head_dim")) {
            f.divisible("hidden_size", hidden, "num_attention_heads", heads);
        }
        int headDim = f.positiveOr("head_dim", hidden / heads);
        f.divisible("num_attention_heads", heads, "num_key_value_heads", kvHeads);
        boolean tied = f.flag("tie_word_embeddings", false);
        boolean qkvBias = family.equals("qwen2") || f.flag("attention_bias", false);
        boolean outBias = !family.equals("qwen2") && f.flag("attention_bias", false);
        boolean mlpBias = f.flag("mlp_bias", false);
        ShapeBuilder b = new ShapeBuilder().matrix("model.embed_tokens.weight", vocab, hidden);
        for (int n = 0; n < layers; n++) {
            String p = "model.layers." + n + ".";
            b.linear(p + "self_attn.q_proj", hidden, heads * headDim, qkvBias)
                    .linear(p + "self_attn.k_proj", hidden, kvHeads * headDim, qkvBias)
                    .linear(p + "self_attn.v_proj", hidden, kvHeads * headDim, qkvBias)
                    .linear(p + "self_attn.o_proj", heads * headDim, hidden, outBias)
                    .linear(p + "mlp.gate_proj", hidden, intermediate, mlpBias)
                    .linear(p + "mlp.up_proj", hidden, intermediate, mlpBias)
                    .linear(p + "mlp.down_proj", intermediate, hidden, mlpBias)
                    .norm(p + "input_layernorm", hidden, false)
                    .norm(p + "post_attention_layernorm", hidden, false);
        }
        b.norm("model.norm", hidden, false);
        if (tied) {
            b.linears.add(new ModelShape.Linear("lm_head", hidden, vocab, false));
        } else {
            b.linear("lm_head", hidden, vocab, false);
        }
        return new ModelShape(family, hidden, layers, heads, kvHeads, headDim, intermediate, vocab, positions, tied,
                0.0, f.probability("attention_dropout", 0.0), List.of("q_proj", "v_proj"), b.tensors, b.linears, List.of());
    }
}
