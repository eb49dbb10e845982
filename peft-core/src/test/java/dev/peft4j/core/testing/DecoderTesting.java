package dev.peft4j.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.model.Gpt2Config;
import dev.peft4j.core.model.KeyValueCache;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.AdamW;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.runtime.PeftRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiny random decoders and the checks every PEFT method runs on them (part of the test-jar): a
 * Llama with grouped-query attention (4 query heads, 2 key/value heads, head_dim 4, hidden 16,
 * intermediate 24, 2 layers, vocab 40, own {@code lm_head}) and a GPT-2 (n_embd 16, 4 heads,
 * n_inner 64, 2 layers, vocab 40, 32 positions, tied head), both initialised N(0, 0.2), a right-padded batch, HF's causal-LM
 * loss and a few AdamW steps.
 */
public final class DecoderTesting {

    /** The tiny Llama's {@code config.json}. */
    public static final String LLAMA_JSON = """
            {"model_type": "llama", "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "max_position_embeddings": 64, "tie_word_embeddings": false, "initializer_range": 0.2}""";

    /** The tiny GPT-2's {@code config.json}. */
    public static final String GPT2_JSON = """
            {"model_type": "gpt2", "vocab_size": 40, "n_positions": 32, "n_embd": 16, "n_layer": 2, "n_head": 4,
             "initializer_range": 0.2}""";

    private static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private DecoderTesting() {}

    /** @return the tiny Llama's configuration */
    public static LlamaConfig llamaConfig() {
        return read(LLAMA_JSON, LlamaConfig.class);
    }

    /** @return the tiny GPT-2's configuration */
    public static Gpt2Config gpt2Config() {
        return read(GPT2_JSON, Gpt2Config.class);
    }

    /**
     * @param manager the parent manager
     * @return the tiny Llama, random with seed 42
     */
    public static TransformerModel llama(NDManager manager) {
        Engine.getInstance().setRandomSeed(42);
        return TransformerModel.llama(llamaConfig(), manager);
    }

    /**
     * @param manager the parent manager
     * @return the tiny GPT-2, random with seed 42
     */
    public static TransformerModel gpt2(NDManager manager) {
        Engine.getInstance().setRandomSeed(42);
        return TransformerModel.gpt2(gpt2Config(), manager);
    }

    /**
     * @param architecture {@code llama} or {@code gpt2}
     * @param manager the parent manager
     * @return that tiny model
     */
    public static TransformerModel create(String architecture, NDManager manager) {
        return switch (architecture) {
            case "llama" -> llama(manager);
            case "gpt2" -> gpt2(manager);
            default -> throw new IllegalArgumentException("no tiny decoder '" + architecture + "'; known: [gpt2, llama]");
        };
    }

    /** @return two sequences of 6 token ids, the second right-padded to length 4, with their mask (int64) */
    public static NDList batch(NDManager scope) {
        return new NDList(
                scope.create(new long[][] {{1, 7, 9, 3, 12, 5}, {1, 5, 3, 8, 0, 0}}),
                scope.create(new long[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}}));
    }

    /**
     * HF's causal-LM loss: logits {@code [:, :-1]} against the ids {@code [:, 1:]}, padded positions
     * ignored (label -100), mean over the counted tokens.
     *
     * @param logits {@code (batch, seq, vocab)}
     * @param inputs the batch ({@code input_ids}, {@code attention_mask})
     * @return the scalar loss in nats, differentiable
     */
    public static NDArray lmLoss(NDArray logits, NDList inputs) {
        long vocab = logits.getShape().get(2);
        NDArray predicted = logits.get(":, :-1, :").logSoftmax(-1);
        NDArray labels = inputs.get(0).get(":, 1:");
        NDArray counted = inputs.get(1).get(":, 1:").toType(DataType.FLOAT32, false);
        NDArray picked = predicted.mul(labels.oneHot((int) vocab)).sum(new int[] {2});
        return picked.mul(counted).sum().neg().div(counted.sum());
    }

    /**
     * The model's logits in evaluation mode.
     *
     * @param peft the adapted model
     * @param scope where the result lives
     * @return {@code (2, 6, 40)} floats, row-major
     */
    public static float[] logits(PeftModel peft, NDManager scope) {
        return peft.forward(batch(scope), false).head().toFloatArray();
    }

    /**
     * Trains the trainable parameters with AdamW (no weight decay) on {@link #batch}, dropout on.
     *
     * @param peft the adapted model
     * @param steps updates to take
     * @param lr the learning rate
     * @param scope where temporaries live
     * @return the loss before each update, then the loss after the last one (evaluation mode): {@code steps + 1} values
     */
    public static List<Float> train(PeftModel peft, int steps, double lr, NDManager scope) {
        List<Float> losses = new ArrayList<>();
        try (AdamW optimizer = AdamW.builder().setParameters(peft.trainableParameters()).optWeightDecay(0).build()) {
            for (int step = 0; step < steps; step++) {
                try (NDManager stepScope = scope.newSubManager(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDList inputs = batch(stepScope);
                    NDArray loss = lmLoss(peft.forward(inputs, true).head(), inputs);
                    losses.add(loss.getFloat());
                    collector.backward(loss);
                }
                optimizer.step(lr);
            }
        }
        try (NDManager evalScope = scope.newSubManager()) {
            NDList inputs = batch(evalScope);
            losses.add(lmLoss(peft.forward(inputs, false).head(), inputs).getFloat());
        }
        return losses;
    }

    /**
     * Saves the adapter, loads it onto a fresh tiny model of the same architecture and checks the
     * loaded model computes the same logits, bit for bit.
     *
     * @param runtime the runtime that made {@code peft}
     * @param peft the adapted (and trained) tiny model
     * @param dir an empty folder
     * @param scope where temporaries live
     * @return the saved tensors' shapes by checkpoint key, in file order
     * @throws IOException if writing or reading fails
     */
    public static Map<String, long[]> assertSaveLoadRoundTrip(PeftRuntime runtime, PeftModel peft, Path dir, NDManager scope)
            throws IOException {
        float[] expected = logits(peft, scope);
        peft.savePretrained(dir);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        AdapterCheckpoint.read(dir).weights().tensors().forEach((key, tensor) -> shapes.put(key, tensor.shape()));
        try (PeftModel loaded = runtime.fromPretrained(create(peft.baseModel().architecture(), scope), dir)) {
            assertThat(logits(loaded, scope)).containsExactly(expected);
        }
        return shapes;
    }

    /**
     * The logits inside {@link PeftModel#disableAdapter()} equal the unadapted model's, bit for bit.
     *
     * @param peft the adapted (and trained) model
     * @param base the unadapted model's logits ({@link #baseLogits})
     * @param scope where temporaries live
     */
    public static void assertDisabledIsBase(PeftModel peft, float[] base, NDManager scope) {
        try (var disabled = peft.disableAdapter()) {
            assertThat(logits(peft, scope)).containsExactly(base);
        }
        assertThat(logits(peft, scope)).isNotEqualTo(base);
    }

    /**
     * @param architecture {@code llama} or {@code gpt2}
     * @param scope where the model and temporaries live
     * @return the fresh tiny model's logits on {@link #batch}, evaluation mode
     */
    public static float[] baseLogits(String architecture, NDManager scope) {
        try (TransformerModel model = create(architecture, scope)) {
            return model.forward(batch(scope), false).head().toFloatArray();
        }
    }

    /**
     * Decoding with the key/value cache (the first 3 tokens, then one at a time) gives each
     * position the logits of the full forward pass within 1e-5: prompt tuning's virtual tokens go in
     * once, prefix tuning's prefix on every call, LoRA and bottleneck adapters act on every token.
     *
     * @param peft the adapted model, its adapter enabled
     * @param scope where temporaries live
     */
    public static void assertCacheMatchesFullForward(PeftModel peft, NDManager scope) {
        long[] ids = {1, 7, 9, 3, 12, 5};
        TransformerModel model = peft.baseModel();
        try (NDManager local = scope.newSubManager(); KeyValueCache cache = model.newKeyValueCache(local)) {
            float[] full = peft.forward(new NDList(local.create(new long[][] {ids}), local.ones(new Shape(1, ids.length), DataType.INT64)),
                    false).head().toFloatArray();
            int vocab = full.length / ids.length;
            float[] first = model.forward(new NDList(local.create(new long[][] {{ids[0], ids[1], ids[2]}}),
                    local.ones(new Shape(1, 3), DataType.INT64)), cache).head().toFloatArray();
            assertThat(first).containsExactly(java.util.Arrays.copyOfRange(full, 0, 3 * vocab), within(1e-5f));
            for (int t = 3; t < ids.length; t++) {
                float[] step = model.forward(new NDList(local.create(new long[][] {{ids[t]}}), local.ones(new Shape(1, 1), DataType.INT64)),
                        cache).head().toFloatArray();
                assertThat(step).as("position " + t).containsExactly(java.util.Arrays.copyOfRange(full, t * vocab, (t + 1) * vocab),
                        within(1e-5f));
            }
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
