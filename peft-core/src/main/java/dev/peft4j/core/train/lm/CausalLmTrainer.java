package dev.peft4j.core.train.lm;

import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.AdamW;
import dev.peft4j.core.train.EpochShuffle;
import dev.peft4j.core.train.LinearSchedule;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.TrainingMeters;
import dev.peft4j.core.train.TrainingProgress;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Trains a causal language model ({@code CAUSAL_LM}) on token blocks, the loop of HF transformers'
 * {@code Trainer} for {@code run_clm.py}: AdamW ({@link AdamW}), linear warm-up and decay
 * ({@link LinearSchedule}), gradient clipping and accumulation, HF's shifted loss
 * ({@link CausalLmLoss}) on right-padded batches ({@link LmBatch}):
 * <pre>
 * until max_steps updates (or epochs passes): shuffle the blocks by (seed, epoch), cut into batches;
 *   for each group of gradient_accumulation_steps batches: one {@link LmTrainingStep};
 *   every eval_steps updates (default: at the end of each epoch) and at the end: held-out perplexity
 * </pre>
 * It trains whatever requires a gradient: an adapter's parameters, or every parameter for full
 * fine-tuning and pre-training (a {@code FULL} {@link PeftModel}). Randomness is keyed by the
 * recipe's seed (shuffles, dropout masks by forward index), so two runs with the same seed end with
 * bit-identical parameters. Events go to the {@link LmTrainingListener}, the Micrometer registry
 * ({@link TrainingMeters}: step time, tokens, loss, learning rate, memory) and, unless disabled, a
 * progress bar on {@code stderr}. Evaluation uses {@link PerplexityEvaluator} (evaluation mode, no
 * gradients) with the recipe's batch size.
 *
 * <pre>{@code
 * LmTrainingResult result = CausalLmTrainer.builder()
 *         .setModel(peftModel).setRecipe(recipe)
 *         .optProgressBar(false)
 *         .build()
 *         .train(trainBlocks, heldOutBlocks);
 * double perplexity = result.finalEvaluation().heldOut().value();
 * }</pre>
 */
public final class CausalLmTrainer {

    private final PeftModel model;
    private final LmTrainingRecipe recipe;
    private final MeterRegistry registry;
    private final boolean progressBar;
    private final LmTrainingListener listener;
    private final int padTokenId;
    private final long evalSteps;

    private CausalLmTrainer(Builder builder) {
        this.model = builder.model;
        this.recipe = builder.recipe;
        this.registry = builder.registry;
        this.progressBar = builder.progressBar;
        this.listener = builder.listener;
        this.padTokenId = builder.padTokenId;
        this.evalSteps = builder.evalSteps;
        LmModels.requireCausalLm(model.baseModel());
    }

    /** @return a builder; model and recipe are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains for {@code recipe.totalSteps(train.size())} updates.
     *
     * @param train training blocks of token ids, non-empty; each a sequence the model learns to continue
     * @param heldOut evaluation blocks; empty to skip evaluation
     * @return counts, timings, every update's event and every evaluation
     * @throws IllegalArgumentException if {@code train} is empty, a block is empty or holds an id
     *     outside {@code [0, vocab_size)} ({@code training block 3 holds token id 300 at position 7;
     *     ids must be in [0, 256)}), or the model has no trainable parameters
     *     ({@code no trainable parameters: ...})
     * @throws IllegalStateException if the loss becomes NaN or infinite
     */
    public LmTrainingResult train(List<int[]> train, List<int[]> heldOut) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training blocks");
        }
        int vocabSize = LmModels.vocabSize(model.baseModel());
        LmModels.requireTokenIds("training", train, vocabSize);
        LmModels.requireTokenIds("held-out", heldOut, vocabSize);
        long start = System.nanoTime();
        int batchesPerEpoch = Math.ceilDiv(train.size(), recipe.batchSize());
        long totalSteps = recipe.totalSteps(train.size());
        LinearSchedule schedule = LinearSchedule.withWarmupRatio(recipe.lr(), recipe.warmupRatio(), totalSteps);
        TrainingMeters meters = TrainingMeters.of(registry);
        List<StepEvent> history = new ArrayList<>();
        List<LmEvaluation> evaluations = new ArrayList<>();
        long blocksSeen = 0;
        long tokensSeen = 0;
        try (AdamW optimizer = AdamW.builder()
                        .setParameters(Parameters.byName(model.baseModel().root()))
                        .optWeightDecay(recipe.weightDecay())
                        .build();
                TrainingProgress progress = TrainingProgress.create(progressBar, totalSteps)) {
            LmTrainingStep update = new LmTrainingStep(model, optimizer, recipe.seed(), recipe.maxGradNorm(), padTokenId);
            long step = 0;
            for (int epoch = 0; step < totalSteps; epoch++) {
                List<List<int[]>> batches = batches(train, EpochShuffle.order(recipe.seed(), epoch, train.size()));
                for (int first = 0; first < batches.size() && step < totalSteps; first += recipe.gradientAccumulationSteps()) {
                    int end = Math.min(batches.size(), first + recipe.gradientAccumulationSteps());
                    double lr = schedule.learningRate(step);
                    long began = System.nanoTime();
                    LmTrainingStep.Outcome outcome = update.run(batches.subList(first, end), lr, (long) epoch * batchesPerEpoch + first);
                    long nanos = System.nanoTime() - began;
                    StepEvent event = new StepEvent(epoch, step, totalSteps, outcome.loss(), lr, outcome.gradNorm(),
                            outcome.blocks(), outcome.tokens(), nanos);
                    step++;
                    blocksSeen += outcome.blocks();
                    tokensSeen += outcome.tokens();
                    history.add(event);
                    meters.record(event);
                    progress.step(event);
                    listener.onStep(event);
                    boolean epochEnds = end >= batches.size();
                    boolean due = evalSteps > 0 ? step % evalSteps == 0 : epochEnds;
                    if (!heldOut.isEmpty() && (due || step == totalSteps)) {
                        LmEvaluation evaluation = new LmEvaluation(epoch, step,
                                PerplexityEvaluator.evaluate(model, heldOut, recipe.batchSize(), padTokenId));
                        evaluations.add(evaluation);
                        listener.onEvaluation(evaluation);
                    }
                }
            }
        }
        return new LmTrainingResult(history.size(), blocksSeen, tokensSeen, Duration.ofNanos(System.nanoTime() - start),
                history, evaluations);
    }

    private List<List<int[]>> batches(List<int[]> blocks, int[] order) {
        List<List<int[]>> batches = new ArrayList<>();
        for (int start = 0; start < order.length; start += recipe.batchSize()) {
            List<int[]> batch = new ArrayList<>();
            for (int i = start; i < Math.min(order.length, start + recipe.batchSize()); i++) {
                batch.add(blocks.get(order[i]));
            }
            batches.add(batch);
        }
        return batches;
    }

    /** @return the recipe this trainer runs */
    public LmTrainingRecipe recipe() {
        return recipe;
    }

    /** Builds a {@link CausalLmTrainer}: {@code set*} required, {@code opt*} optional (DJL convention). */
    public static final class Builder {

        private PeftModel model;
        private LmTrainingRecipe recipe;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private boolean progressBar = true;
        private LmTrainingListener listener = new LmTrainingListener() {};
        private int padTokenId;
        private long evalSteps;

        private Builder() {}

        /**
         * @param model the {@code CAUSAL_LM} model to train in place ({@code FULL} for pre-training)
         * @return this builder
         */
        public Builder setModel(PeftModel model) {
            this.model = model;
            return this;
        }

        /**
         * @param recipe the hyper-parameters
         * @return this builder
         */
        public Builder setRecipe(LmTrainingRecipe recipe) {
            this.recipe = recipe;
            return this;
        }

        /**
         * @param registry where {@link TrainingMeters} are registered (default: a new {@link SimpleMeterRegistry})
         * @return this builder
         */
        public Builder optMeterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * @param enabled whether to draw a progress bar with ETA on {@code stderr} (default true)
         * @return this builder
         */
        public Builder optProgressBar(boolean enabled) {
            this.progressBar = enabled;
            return this;
        }

        /**
         * @param listener receives per-update and per-evaluation events (default: none)
         * @return this builder
         */
        public Builder optListener(LmTrainingListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param id the id written into padding (masked and never predicted, so any valid id), default 0
         * @return this builder
         * @throws IllegalArgumentException {@code pad_token_id must be >= 0, got -1}
         */
        public Builder optPadTokenId(int id) {
            if (id < 0) {
                throw new IllegalArgumentException("pad_token_id must be >= 0, got " + id);
            }
            this.padTokenId = id;
            return this;
        }

        /**
         * @param steps evaluate every {@code steps} updates (HF {@code eval_steps}) instead of at the
         *     end of each epoch; the run's end is always evaluated
         * @return this builder
         * @throws IllegalArgumentException {@code eval_steps must be > 0, got 0}
         */
        public Builder optEvalSteps(long steps) {
            if (steps <= 0) {
                throw new IllegalArgumentException("eval_steps must be > 0, got " + steps);
            }
            this.evalSteps = steps;
            return this;
        }

        /**
         * @return the trainer
         * @throws NullPointerException if model or recipe is missing
         * @throws IllegalArgumentException if the model is not {@code CAUSAL_LM}
         */
        public CausalLmTrainer build() {
            Objects.requireNonNull(model, "setModel(...) is required");
            Objects.requireNonNull(recipe, "setRecipe(...) is required");
            return new CausalLmTrainer(this);
        }
    }
}
