package dev.peft4j.core.generate;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Autograd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Autoregressive decoding of a causal LM, HF transformers' {@code generate} for decoder-only
 * models: greedy ({@code do_sample=false}, the arg-max) or sampling from the warped distribution
 * ({@link GenerationConfig#warpers()}: temperature, top-k, top-p; {@link TokenSampler} with a
 * seeded draw per row and step), in evaluation mode without gradients.
 *
 * <p>Prompts of different lengths are padded on the left ({@link PromptBatch}); each row computes as
 * its prompt alone (greedy rows equal their prompt generated alone; a sampled row's draws are keyed
 * by its index in the batch, so equal prompts in one batch get different samples, as in HF). A row stops at its first stop token ({@code eos_token_id}, kept as its last
 * token; afterwards it is fed {@code pad_token_id}, as HF) or after {@code max_new_tokens}; the batch
 * ends when every row has stopped. With {@code use_cache} the prompts go through the model once and
 * every further call feeds one new token per row against the {@link KeyValueCache} (HF's
 * {@code past_key_values}); without it every call recomputes the whole sequence. Both give the same
 * tokens (greedy: token for token, up to fp32 ties).
 *
 * <p>Through a {@link PeftModel} the active adapters compute (LoRA, bottleneck adapters, prefix
 * tuning's virtual keys and values on every call, prompt tuning's virtual tokens on the first
 * cached call or every uncached one); inside {@link PeftModel#disableAdapter()} the base model.
 *
 * <pre>{@code
 * GenerationResult out = Generator.of(peftModel).generate(List.of(prompt),
 *         GenerationConfig.sampling(64, 0.8, 40, 0.95, 7).withEosTokenId(List.of(10)));
 * int[] tokens = out.tokens(0);
 * }</pre>
 */
public final class Generator {

    private final DecoderCalls decoder;

    private Generator(DecoderCalls decoder) {
        this.decoder = decoder;
    }

    /**
     * @param model an adapted {@code CAUSAL_LM} model
     * @return a generator running it
     * @throws IllegalArgumentException if the model is not {@code CAUSAL_LM}
     */
    public static Generator of(PeftModel model) {
        return new Generator(DecoderCalls.of(model));
    }

    /**
     * @param model a {@code CAUSAL_LM} model without adapters
     * @return a generator running it
     * @throws IllegalArgumentException if the model is not {@code CAUSAL_LM}
     */
    public static Generator of(TransformerModel model) {
        return new Generator(DecoderCalls.of(model));
    }

    /**
     * Continues every prompt.
     *
     * @param prompts token ids, one or more non-empty prompts with ids in {@code [0, vocab_size)}
     * @param config how to decode
     * @return the new tokens of every row
     * @throws IllegalArgumentException as {@link PromptBatch#leftPadded}, or if a stop token is
     *     outside the vocabulary ({@code eos_token_id 300 is outside [0, 256)})
     */
    public GenerationResult generate(List<int[]> prompts, GenerationConfig config) {
        int vocabSize = decoder.model().vocabSize();
        PromptBatch batch = PromptBatch.leftPadded(prompts, config.padTokenId(), vocabSize);
        Set<Integer> stopTokens = new HashSet<>(config.eosTokenId());
        for (int id : config.eosTokenId()) {
            if (id >= vocabSize) {
                throw new IllegalArgumentException("eos_token_id " + id + " is outside [0, " + vocabSize + ")");
            }
        }
        long start = System.nanoTime();
        int rows = batch.batchSize();
        int[][] generated = new int[rows][config.maxNewTokens()];
        int[] lengths = new int[rows];
        boolean[] stopped = new boolean[rows];
        List<LogitsWarper> warpers = config.warpers();
        int passes = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad();
                NDManager manager = decoder.model().manager().newSubManager();
                Decoding decoding = config.useCache() ? new CachedDecoding(decoder, manager, batch)
                        : new FullDecoding(decoder, manager, batch)) {
            for (int step = 0; step < config.maxNewTokens(); step++) {
                float[][] scores = decoding.nextScores();
                passes++;
                long[] next = new long[rows];
                for (int row = 0; row < rows; row++) {
                    if (stopped[row]) {
                        next[row] = config.padTokenId();
                        continue;
                    }
                    int token = choose(scores[row], warpers, config, step, row);
                    generated[row][lengths[row]++] = token;
                    next[row] = token;
                    stopped[row] = stopTokens.contains(token);
                }
                if (allTrue(stopped) || step == config.maxNewTokens() - 1) {
                    break;
                }
                decoding.append(next);
            }
        }
        List<GeneratedSequence> sequences = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            sequences.add(new GeneratedSequence(Arrays.copyOf(generated[row], lengths[row]),
                    stopped[row] ? FinishReason.STOP_TOKEN : FinishReason.LENGTH));
        }
        return new GenerationResult(sequences, passes, System.nanoTime() - start);
    }

    private static int choose(float[] logits, List<LogitsWarper> warpers, GenerationConfig config, int step, int row) {
        double[] scores = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            scores[i] = logits[i];
        }
        if (!config.doSample()) {
            return TokenSampler.argMax(scores);
        }
        for (LogitsWarper warper : warpers) {
            warper.warp(scores);
        }
        return TokenSampler.sample(scores, config.seed(), step, row);
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean flag : flags) {
            if (!flag) {
                return false;
            }
        }
        return true;
    }
}
