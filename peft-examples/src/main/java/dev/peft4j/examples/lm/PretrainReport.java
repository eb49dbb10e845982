package dev.peft4j.examples.lm;

/**
 * What pre-training produced, stored as {@code pretraining.json} beside the cached base model and
 * copied into {@code peft compare-lm}'s {@code results.json}.
 *
 * @param key the cache key ({@link BaseModelKey})
 * @param recipe the recipe trained with
 * @param dataDigest SHA-256 of the Moby Dick split ({@link BaseModelKey#dataDigest})
 * @param trainTokens tokens in the packed training chapters
 * @param heldOutTokens tokens in the packed held-out chapters
 * @param parameters the base's parameters (the tied head counted once)
 * @param wallSeconds seconds of training (evaluation and saving excluded)
 * @param medianStepMillis median update time, milliseconds
 * @param finalTrainLoss mean training loss of the last 50 updates (nats per token)
 * @param heldOutPerplexity perplexity per byte on up to {@code eval_windows} held-out windows
 * @param heldOutBitsPerByte the same as bits per byte
 * @param filesSha256 SHA-256 (hex) over every other file of the folder ({@link BaseModelCache#filesDigest}), checked on every load
 * @param createdAt when it was written, ISO-8601 UTC
 */
public record PretrainReport(String key, PretrainRecipe recipe, String dataDigest, long trainTokens, long heldOutTokens,
        long parameters, double wallSeconds, double medianStepMillis, double finalTrainLoss, double heldOutPerplexity,
        double heldOutBitsPerByte, String filesSha256, String createdAt) {}
