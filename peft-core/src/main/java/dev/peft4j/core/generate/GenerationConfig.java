package dev.peft4j.core.generate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link Generator} decodes, HF transformers' {@code GenerationConfig} with its names and
 * defaults. A {@code null} component takes HF's default; the compact constructor validates.
 *
 * @param maxNewTokens tokens to generate at most per row, HF {@code max_new_tokens} (HF's
 *     {@code max_length} default of 20 applies to prompt plus output; here it counts only new
 *     tokens), default 20, &gt; 0
 * @param doSample sample from the warped distribution instead of taking the arg-max, default false
 * @param temperature divides the scores before sampling, default 1.0, finite and &gt; 0; ignored
 *     when greedy (HF warns there)
 * @param topK keep the {@code top_k} best tokens when sampling, default 50 (HF's), 0 disables
 * @param topP keep the nucleus of mass {@code top_p} when sampling, default 1.0 (disabled), in
 *     {@code [0, 1]}
 * @param seed seeds the sampling draws ({@link TokenSampler#uniform}), default 0
 * @param eosTokenId stop tokens, HF {@code eos_token_id} (a list): a row stops at its first one,
 *     which it keeps; default none
 * @param padTokenId fills the left padding of shorter prompts (masked, never attended), HF
 *     {@code pad_token_id}; default the first stop token, else 0
 * @param useCache decode with the key/value cache (one new token per forward pass) instead of
 *     recomputing the whole sequence, HF {@code use_cache}, default true
 */
public record GenerationConfig(
        @JsonProperty("max_new_tokens") Integer maxNewTokens,
        @JsonProperty("do_sample") Boolean doSample,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("seed") Long seed,
        @JsonProperty("eos_token_id") List<Integer> eosTokenId,
        @JsonProperty("pad_token_id") Integer padTokenId,
        @JsonProperty("use_cache") Boolean useCache) {

    /**
     * Fills defaults and validates.
     *
     * @throws IllegalArgumentException naming the key, the value and what is allowed, e.g.
     *     {@code generation.max_new_tokens must be > 0, got 0}
     */
    public GenerationConfig {
        maxNewTokens = maxNewTokens == null ? 20 : maxNewTokens;
        doSample = doSample != null && doSample;
        temperature = temperature == null ? 1.0 : temperature;
        topK = topK == null ? 50 : topK;
        topP = topP == null ? 1.0 : topP;
        seed = seed == null ? 0L : seed;
        eosTokenId = eosTokenId == null ? List.of() : List.copyOf(eosTokenId);
        padTokenId = padTokenId != null ? padTokenId : eosTokenId.isEmpty() ? 0 : eosTokenId.getFirst();
        useCache = useCache == null || useCache;
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("generation.max_new_tokens must be > 0, got " + maxNewTokens);
        }
        if (!(temperature > 0) || temperature.isInfinite()) {
            throw new IllegalArgumentException("generation.temperature must be finite and > 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("generation.top_k must be >= 0 (0 disables it), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("generation.top_p must be in [0, 1], got " + topP);
        }
        for (int id : eosTokenId) {
            if (id < 0) {
                throw new IllegalArgumentException("generation.eos_token_id entries must be >= 0, got " + id);
            }
        }
        if (padTokenId < 0) {
            throw new IllegalArgumentException("generation.pad_token_id must be >= 0, got " + padTokenId);
        }
    }

    /**
     * @param maxNewTokens tokens to generate at most
     * @return greedy decoding with the cache and no stop token
     */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, false, null, null, null, null, null, null, null);
    }

    /**
     * @param maxNewTokens tokens to generate at most
     * @param temperature the sampling temperature
     * @param topK top-k, 0 disables
     * @param topP top-p, 1 disables
     * @param seed the sampling seed
     * @return sampling with the cache and no stop token
     */
    public static GenerationConfig sampling(int maxNewTokens, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, true, temperature, topK, topP, seed, null, null, null);
    }

    /**
     * @param ids the stop tokens
     * @return this config with {@code eos_token_id} replaced (and {@code pad_token_id} kept)
     */
    public GenerationConfig withEosTokenId(List<Integer> ids) {
        return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, seed, ids, padTokenId, useCache);
    }

    /**
     * @param enabled whether to decode with the key/value cache
     * @return this config with {@code use_cache} replaced
     */
    public GenerationConfig withUseCache(boolean enabled) {
        return new GenerationConfig(maxNewTokens, doSample, temperature, topK, topP, seed, eosTokenId, padTokenId, enabled);
    }

    /**
     * The warpers sampling applies, in HF's order, leaving out those that change nothing
     * (temperature 1, {@code top_k} 0, {@code top_p} 1); empty for greedy decoding.
     *
     * @return the warpers
     */
    public List<LogitsWarper> warpers() {
        if (!doSample) {
            return List.of();
        }
        ArrayList<LogitsWarper> warpers = new ArrayList<>();
        if (temperature != 1.0) {
            warpers.add(new TemperatureWarper(temperature));
        }
        if (topK > 0) {
            warpers.add(new TopKWarper(topK));
        }
        if (topP < 1.0) {
            warpers.add(new TopPWarper(topP));
        }
        return List.copyOf(warpers);
    }
}
