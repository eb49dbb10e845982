package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Tiny random decoders for tests: a GQA Llama (4 heads, 2 key/value heads), tied or untied, and a GPT-2. */
final class TinyDecoders {

    static final int VOCAB = 40;
    static final ObjectMapper MAPPER = new ObjectMapper();

    private TinyDecoders() {}

    static LlamaConfig llamaConfig(boolean tied) {
        return parse("{\"model_type\":\"llama\",\"vocab_size\":40,\"hidden_size\":16,\"intermediate_size\":24,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"rms_norm_eps\":1e-6,"
                + "\"rope_theta\":10000.0,\"tie_word_embeddings\":" + tied + ",\"initializer_range\":0.2}", LlamaConfig.class);
    }

    static Gpt2Config gpt2Config() {
        return parse("{\"model_type\":\"gpt2\",\"vocab_size\":40,\"n_embd\":16,\"n_layer\":2,\"n_head\":4,\"n_positions\":32,"
                + "\"initializer_range\":0.2}", Gpt2Config.class);
    }

    static TransformerModel create(String kind, NDManager manager) {
        return switch (kind) {
            case "llama-tied" -> TransformerModel.llama(llamaConfig(true), manager);
            case "llama" -> TransformerModel.llama(llamaConfig(false), manager);
            case "gpt2" -> TransformerModel.gpt2(gpt2Config(), manager);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static <T> T parse(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return {@code (1, n)} int64 ids */
    static NDArray ids(NDManager manager, long... ids) {
        return manager.create(ids).reshape(1, ids.length);
    }

    static NDList inputs(NDManager manager, long[][] ids, long[][] mask) {
        return new NDList(manager.create(ids), manager.create(mask));
    }
}
