package dev.peft4j.examples.compare;

import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.examples.data.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures forgetting inside one method's run ({@code peft compare}'s child JVM): how far training
 * moved the model's sentence embeddings on general English text not in the task, and, for every
 * PEFT method, proof that disabling the adapter gives back the base model bit for bit.
 *
 * <p>Use, in one JVM, on one model object:
 * <pre>{@code
 * TransformerModel base = TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, 2, manager);
 * ForgettingProbe probe = ForgettingProbe.builder().setModel(base).setTokenizer(tokenizer)
 *         .setSentences(ProbeSentences.load(limit)).optTaskSentences(heldOutTexts).prepare();
 * PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer);   // adapts base in place
 * ... train ...
 * MethodResult.Forgetting forgetting = probe.measure(peft);
 * }</pre>
 *
 * <p><b>Embeddings</b> are {@link TransformerModel#pooledEmbeddings}: the encoder's last hidden
 * state mean-pooled over real tokens (how all-MiniLM-L6-v2 is trained; prompt tuning's virtual
 * tokens excluded), for a {@code SEQ_CLS} model the vector before the head's dropout and
 * {@code classifier}, not L2-normalised; {@code (sentences, hidden)} fp32.
 *
 * <p>{@link Builder#prepare()} (before the method is applied) computes
 * <ol>
 *   <li>the base embeddings of all probe sentences, read from the cache when a valid file for the
 *       same encoder weights, sentences, token ids, {@code max_length} and batch size is there,
 *       otherwise computed and written ({@link BaseEmbeddingCache}: a corrupt or mismatching file is
 *       recomputed with a logged warning, never used);</li>
 *   <li>the identity probe: the first {@link #DEFAULT_IDENTITY_SENTENCES} probe sentences plus the
 *       task sentences given ({@link Builder#optTaskSentences}, e.g. held-out task text), their
 *       embeddings and, for {@code SEQ_CLS}, their logits {@code (n, num_labels)} through the
 *       freshly initialised head.</li>
 * </ol>
 * Both passes run in evaluation mode without gradients and draw no random numbers, so preparing
 * does not change the method's initialisation or training.
 *
 * <p>{@link #measure} (after training, adapter enabled) embeds the probe sentences with the
 * trained model and compares them row by row with the base embeddings ({@link CosineStats}: mean
 * and minimum cosine, in double). For a PEFT method it then recomputes the identity probe inside
 * {@link PeftModel#disableAdapter()} with the same batches and compares every value bitwise
 * ({@link Float#floatToRawIntBits}): with the adapter disabled LoRA layers compute only their base
 * layer, bottleneck layers their wrapped block, prompt and prefix encoders supply nothing, and
 * {@code modules_to_save} wrappers (the SEQ_CLS {@code classifier}) route to their frozen
 * {@code original_module}, as HF PEFT's {@code disable_adapter()}. Full fine-tuning has no adapter
 * to disable: both identity fields are {@code null}, and the cosine shows how far the weights
 * moved. A model without a head ({@code FEATURE_EXTRACTION}) gets {@code null} for the logits.
 *
 * <p>Batching: sentences sorted by token count and cut into batches of the batch size
 * ({@link ProbeBatches}), identical in every pass. Cost: one forward pass over the probe sentences
 * in {@code prepare} (none on a cache hit) and one in {@code measure}, plus two small identity passes
 * each; see {@link #prepareSeconds()} and {@link #measureSeconds()}.
 */
public final class ForgettingProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ForgettingProbe.class);

    /** Sentences per forward pass unless set. */
    public static final int DEFAULT_BATCH_SIZE = 32;
    /** Probe sentences in the identity probe unless set. */
    public static final int DEFAULT_IDENTITY_SENTENCES = 64;
    /** The cache folder under the repository (or the working directory) unless set. */
    public static final String DEFAULT_CACHE_FOLDER = ".cache/peft4j/forgetting";

    /** Where the base embeddings came from. */
    public enum CacheStatus {
        /** read from a valid cache file */
        HIT,
        /** no cache file: computed and written */
        MISS,
        /** a cache file was corrupt or did not match: recomputed (with a warning) and rewritten */
        INVALID
    }

    private final TransformerModel base;
    private final SentenceTokenizer tokenizer;
    private final String corpus;
    private final ProbeBatches probeBatches;
    private final HostTensor baseEmbeddings;
    private final ProbeBatches identityBatches;
    private final HostTensor identityEmbeddings;
    private final HostTensor identityLogits;
    private final CacheStatus cacheStatus;
    private final Path cacheFile;
    private final double prepareSeconds;
    private double measureSeconds = Double.NaN;

    private ForgettingProbe(Builder b, ProbeBatches probeBatches, HostTensor baseEmbeddings, ProbeBatches identityBatches,
            HostTensor identityEmbeddings, HostTensor identityLogits, CacheStatus cacheStatus, Path cacheFile,
            double prepareSeconds) {
        this.base = b.model;
        this.tokenizer = b.tokenizer;
        this.corpus = b.corpus;
        this.probeBatches = probeBatches;
        this.baseEmbeddings = baseEmbeddings;
        this.identityBatches = identityBatches;
        this.identityEmbeddings = identityEmbeddings;
        this.identityLogits = identityLogits;
        this.cacheStatus = cacheStatus;
        this.cacheFile = cacheFile;
        this.prepareSeconds = prepareSeconds;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return {@code <repository>/.cache/peft4j/forgetting} in a checkout ({@link RepoRoot}),
     *     otherwise {@code .cache/peft4j/forgetting} under the working directory
     */
    public static Path defaultCacheDir() {
        return RepoRoot.find().map(root -> root.resolve(DEFAULT_CACHE_FOLDER)).orElse(Path.of(DEFAULT_CACHE_FOLDER));
    }

    /**
     * Measures forgetting of a trained model.
     *
     * @param trained the model {@link Builder#prepare()} saw, adapted in place by
     *     {@code PeftRuntime.getPeftModel} and trained; its adapter enabled
     * @return corpus, sentence count, mean and minimum cosine to the base embeddings, and the two
     *     bit-identity verdicts ({@code null} for full fine-tuning; logits {@code null} without a head)
     * @throws IllegalArgumentException if {@code trained} wraps another model than the one prepared
     * @throws IllegalStateException if called while the adapter is disabled, or if a trained
     *     embedding is not finite or zero (its cosine is undefined)
     */
    public MethodResult.Forgetting measure(PeftModel trained) {
        if (trained.baseModel() != base) {
            throw new IllegalArgumentException("the forgetting probe was prepared on another model; measure the PeftModel "
                    + "that PeftRuntime.getPeftModel made from the prepared TransformerModel");
        }
        if (!base.adapterToggle().adaptersEnabled()) {
            throw new IllegalStateException("measure the trained model with its adapter enabled, not inside disableAdapter()");
        }
        long start = System.nanoTime();
        HostTensor trainedEmbeddings = probeBatches.run(tokenizer, base.manager(), trained::pooledEmbeddings);
        CosineStats cosine = CosineStats.of(trainedEmbeddings, baseEmbeddings);
        Boolean embeddingsIdentical = null;
        Boolean logitsIdentical = null;
        if (!(trained.config() instanceof FullFineTuningConfig)) {
            try (var disabled = trained.disableAdapter()) {
                embeddingsIdentical = bitIdentical(identityBatches.run(tokenizer, base.manager(), trained::pooledEmbeddings),
                        identityEmbeddings);
                if (identityLogits != null) {
                    logitsIdentical = bitIdentical(identityBatches.run(tokenizer, base.manager(),
                            inputs -> trained.forward(inputs, false).head()), identityLogits);
                }
            }
        }
        measureSeconds = (System.nanoTime() - start) / 1e9;
        LOG.info("forgetting: mean cosine {} (min {}) over {} sentences; disabled adapter: embeddings identical {}, logits "
                + "identical {}; measured in {} s", cosine.mean(), cosine.min(), probeBatches.size(), embeddingsIdentical,
                logitsIdentical, String.format(java.util.Locale.ROOT, "%.1f", measureSeconds));
        return new MethodResult.Forgetting(corpus, probeBatches.size(), cosine.mean(), cosine.min(), embeddingsIdentical,
                logitsIdentical);
    }

    /**
     * @param a a tensor
     * @param b another
     * @return whether shapes and every value's raw bits ({@link Float#floatToRawIntBits}) are equal
     */
    static boolean bitIdentical(HostTensor a, HostTensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        float[] x = a.values();
        float[] y = b.values();
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                return false;
            }
        }
        return true;
    }

    /** @return the base embeddings {@code (sentences, hidden)}, in the sentences' order */
    public HostTensor baseEmbeddings() {
        return baseEmbeddings;
    }

    /** @return whether the base embeddings were read from the cache, computed, or recomputed over a bad file */
    public CacheStatus cacheStatus() {
        return cacheStatus;
    }

    /** @return the cache file for this model, sentences, length and batch size */
    public Path cacheFile() {
        return cacheFile;
    }

    /** @return the number of probe sentences */
    public int sentences() {
        return probeBatches.size();
    }

    /** @return the number of sentences in the identity probe */
    public int identitySentences() {
        return identityBatches.size();
    }

    /** @return wall seconds {@link Builder#prepare()} took (fingerprint, cache, base and identity passes) */
    public double prepareSeconds() {
        return prepareSeconds;
    }

    /** @return wall seconds the last {@link #measure} took, {@code NaN} before the first */
    public double measureSeconds() {
        return measureSeconds;
    }

    /** Prepares a {@link ForgettingProbe}; {@code set*} required, {@code opt*} optional. */
    public static final class Builder {

        private TransformerModel model;
        private SentenceTokenizer tokenizer;
        private List<String> sentences;
        private String corpus = ProbeSentences.CORPUS;
        private String modelName;
        private List<String> taskSentences = List.of();
        private Path cacheDir;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int identitySentences = DEFAULT_IDENTITY_SENTENCES;

        private Builder() {}

        /**
         * @param model the base model with its fresh head, before any method is applied
         * @return this
         */
        public Builder setModel(TransformerModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * @param tokenizer the model's tokenizer; its truncation length is the probe's {@code max_length}
         * @return this
         */
        public Builder setTokenizer(SentenceTokenizer tokenizer) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        /**
         * @param sentences the probe sentences, e.g. {@link ProbeSentences#load(Integer)}
         * @return this
         */
        public Builder setSentences(List<String> sentences) {
            this.sentences = List.copyOf(sentences);
            return this;
        }

        /**
         * @param corpus the sentences' source as recorded in the result; default {@link ProbeSentences#CORPUS}
         * @return this
         */
        public Builder optCorpus(String corpus) {
            this.corpus = Objects.requireNonNull(corpus, "corpus");
            return this;
        }

        /**
         * @param modelName the model's name, written into the cache file for people (the weights'
         *     digest is what keys it); default the architecture's name
         * @return this
         */
        public Builder optModelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /**
         * @param taskSentences task text added to the identity probe (e.g. the first held-out
         *     sentences), so the logits are checked on inputs the head was trained for
         * @return this
         */
        public Builder optTaskSentences(List<String> taskSentences) {
            this.taskSentences = List.copyOf(taskSentences);
            return this;
        }

        /**
         * @param cacheDir the folder of cached base embeddings; default {@link #defaultCacheDir()}
         * @return this
         */
        public Builder optCacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /**
         * @param batchSize sentences per forward pass, &gt; 0; default {@link #DEFAULT_BATCH_SIZE}
         * @return this
         */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param identitySentences probe sentences in the identity probe, &gt;= 0 (capped at the number of
         *     probe sentences); default {@link #DEFAULT_IDENTITY_SENTENCES}
         * @return this
         */
        public Builder optIdentitySentences(int identitySentences) {
            this.identitySentences = identitySentences;
            return this;
        }

        /**
         * Computes (or reads) the base embeddings and the identity probe.
         *
         * @return the probe
         * @throws NullPointerException if the model, tokenizer or sentences are not set
         * @throws IllegalArgumentException if there are no sentences, {@code batchSize <= 0},
         *     {@code identitySentences < 0}, or the identity probe would be empty
         * @throws UncheckedIOException if the cache file cannot be written
         */
        public ForgettingProbe prepare() {
            Objects.requireNonNull(model, "setModel is required");
            Objects.requireNonNull(tokenizer, "setTokenizer is required");
            Objects.requireNonNull(sentences, "setSentences is required");
            if (batchSize <= 0) {
                throw new IllegalArgumentException("the forgetting probe's batch size must be > 0, got " + batchSize);
            }
            if (identitySentences < 0) {
                throw new IllegalArgumentException("the forgetting probe's identity sentences must be >= 0, got "
                        + identitySentences);
            }
            long start = System.nanoTime();
            ProbeBatches probe = ProbeBatches.byLength(sentences, tokenizer, batchSize);
            var key = new BaseEmbeddingCache.Key(modelName == null ? model.architecture() : modelName,
                    Digests.ofEncoderWeights(model), Digests.ofSentences(sentences), probe.tokenDigest(), sentences.size(),
                    tokenizer.maxLength(), batchSize, model.hiddenSize());
            var cache = new BaseEmbeddingCache(cacheDir == null ? defaultCacheDir() : cacheDir);
            var lookup = cache.load(key);
            HostTensor embeddings;
            CacheStatus status;
            if (lookup.hit()) {
                embeddings = lookup.embeddings().orElseThrow();
                status = CacheStatus.HIT;
            } else {
                long pass = System.nanoTime();
                embeddings = probe.run(tokenizer, model.manager(), model::pooledEmbeddings);
                LOG.info("forgetting probe: base embeddings of {} sentences in {} s", sentences.size(),
                        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - pass) / 1e9));
                status = lookup.invalid() ? CacheStatus.INVALID : CacheStatus.MISS;
                try {
                    cache.store(key, embeddings);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the forgetting probe's cache " + cache.file(key) + ": "
                            + e.getMessage(), e);
                }
            }
            List<String> identity = new ArrayList<>(sentences.subList(0, Math.min(identitySentences, sentences.size())));
            identity.addAll(taskSentences);
            if (identity.isEmpty()) {
                throw new IllegalArgumentException("the forgetting probe's identity probe is empty: give identitySentences > 0 "
                        + "or task sentences");
            }
            ProbeBatches identityBatches = ProbeBatches.byLength(identity, tokenizer, batchSize);
            HostTensor identityEmbeddings = identityBatches.run(tokenizer, model.manager(), model::pooledEmbeddings);
            HostTensor identityLogits = model.taskType() == TaskType.SEQ_CLS
                    ? identityBatches.run(tokenizer, model.manager(), inputs -> model.forward(inputs, false).head())
                    : null;
            double seconds = (System.nanoTime() - start) / 1e9;
            LOG.info("forgetting probe prepared in {} s ({} base embeddings: {}, {} identity sentences)",
                    String.format(java.util.Locale.ROOT, "%.1f", seconds), sentences.size(), status, identity.size());
            return new ForgettingProbe(this, probe, embeddings, identityBatches, identityEmbeddings, identityLogits, status,
                    cache.file(key), seconds);
        }
    }
}
