package dev.peft4j.core.testing;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.model.Gpt2Config;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.target.TargetModules;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tiny random causal LMs for training and generation tests: a grouped-query Llama (4 heads, 2
 * key/value heads, untied head) and a GPT-2 (dropout 0.1 as HF's default), vocabulary {@link #VOCAB},
 * with a wide initialisation (0.2) so next-token logits are far apart (no arg-max near-ties).
 */
public final class TinyCausalLms {

    /** Tokens in the vocabulary. */
    public static final int VOCAB = 32;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TinyCausalLms() {}

    /**
     * @param manager parent of the model's manager
     * @return a 2-layer Llama: hidden 16, 4 heads, 2 key/value heads, untied head
     */
    public static TransformerModel llama(NDManager manager) {
        return TransformerModel.llama(parse("{\"vocab_size\":" + VOCAB + ",\"hidden_size\":16,\"intermediate_size\":32,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
                + "\"tie_word_embeddings\":false,\"initializer_range\":0.2}", LlamaConfig.class), manager);
    }

    /**
     * @param manager parent of the model's manager
     * @return a 2-layer GPT-2: n_embd 16, 4 heads, 64 positions, dropouts 0.1
     */
    public static TransformerModel gpt2(NDManager manager) {
        return TransformerModel.gpt2(parse("{\"vocab_size\":" + VOCAB + ",\"n_embd\":16,\"n_layer\":2,\"n_head\":4,"
                + "\"n_positions\":64,\"initializer_range\":0.2}", Gpt2Config.class), manager);
    }

    /**
     * @param kind {@code llama} or {@code gpt2}
     * @param manager parent of the model's manager
     * @return the model
     */
    public static TransformerModel create(String kind, NDManager manager) {
        return switch (kind) {
            case "llama" -> llama(manager);
            case "gpt2" -> gpt2(manager);
            default -> throw new IllegalArgumentException("unknown tiny decoder '" + kind + "'; known: [gpt2, llama]");
        };
    }

    /**
     * @param model the base model
     * @return every parameter trainable ({@code FULL}), as for pre-training
     */
    public static PeftModel full(TransformerModel model) {
        return PeftRuntime.of(List.of(new FullFineTuningProvider())).getPeftModel(model, new FullFineTuningConfig(), ConfigOrigin.USER);
    }

    /**
     * @param model the base model
     * @param targets the {@code Linear} modules to scale
     * @return the test-only scaling adapter on {@code targets}, the base frozen
     */
    public static PeftModel scale(TransformerModel model, String... targets) {
        return PeftRuntime.of(List.of(new ScaleProvider()))
                .getPeftModel(model, ScaleConfig.of(TargetModules.names(targets)), ConfigOrigin.USER);
    }

    /**
     * A learnable toy language: each block counts upwards modulo {@code VOCAB - 2} from a random
     * start in steps of 1 or 3 (the step is the block's first token, 30 or 31), so after two tokens
     * every next token is determined.
     *
     * @param count blocks
     * @param length tokens per block (at least {@code minLength}, varying when {@code minLength < length})
     * @param minLength the shortest block
     * @param seed the generator's seed
     * @return the blocks
     */
    public static List<int[]> countingBlocks(int count, int minLength, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> blocks = new ArrayList<>();
        int modulus = VOCAB - 2;
        for (int b = 0; b < count; b++) {
            int size = minLength == length ? length : minLength + random.nextInt(length - minLength + 1);
            int stride = random.nextBoolean() ? 1 : 3;
            int[] block = new int[size];
            block[0] = stride == 1 ? modulus : modulus + 1;
            int value = random.nextInt(modulus);
            for (int t = 1; t < size; t++) {
                block[t] = value;
                value = (value + stride) % modulus;
            }
            blocks.add(block);
        }
        return blocks;
    }

    private static <T> T parse(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
