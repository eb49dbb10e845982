package dev.peft4j.core.train;

import dev.peft4j.core.model.BertForSequenceClassification;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Fine-tunes a sequence classifier ({@code SEQ_CLS}), the loop of HF transformers' {@code Trainer}
 * with {@code AdamW}, {@code get_linear_schedule_with_warmup}, {@code clip_grad_norm_} and gradient
 * accumulation:
 * <pre>
 * for each epoch: shuffle by (seed, epoch), cut into batches of batch_size;
 *   for each group of gradient_accumulation_steps batches: one {@link TrainingStep};
 *   evaluate on the held-out examples (inference mode)
 * </pre>
 * Only parameters that require gradients are trained. Every source of randomness is keyed by the
 * recipe's seed ({@link EpochShuffle}, dropout via {@link dev.peft4j.core.model.DropoutSeed} with
 * the run-wide batch index as step), so two runs with the same seed end with bit-identical
 * parameters. Events go to the {@link TrainingListener}, the Micrometer registry
 * ({@link TrainingMeters}) and, unless disabled, a progress bar on {@code stderr}.
 *
 * <p>With {@link Builder#optCheckpoints} the trainer hands a {@link TrainingSnapshot} to a sink
 * every {@code save_steps} updates and at the end; {@link Builder#optResumeFrom} continues from
 * one so that the resumed run's losses and parameters equal the uninterrupted run's bit for bit.
 *
 * <pre>{@code
 * TrainingResult result = Trainer.builder()
 *         .setModel(peftModel).setTokenizer(tokenizer).setRecipe(recipe)
 *         .optProgressBar(false)
 *         .build()
 *         .train(trainExamples, heldOutExamples);
 * }</pre>
 */
public final class Trainer {

    private final PeftModel model;
    private final SentenceTokenizer tokenizer;
    private final TrainingRecipe recipe;
    private final MeterRegistry registry;
    private final boolean progressBar;
    private final TrainingListener listener;
    private final long saveSteps;
    private final CheckpointSink checkpointSink;
    private final TrainingSnapshot resumeFrom;
    private final int numLabels;

    private Trainer(Builder builder) {
        this.model = builder.model;
        this.tokenizer = builder.tokenizer;
        this.recipe = builder.recipe;
        this.registry = builder.registry;
        this.progressBar = builder.progressBar;
        this.listener = builder.listener;
        this.saveSteps = builder.saveSteps;
        this.checkpointSink = builder.checkpointSink;
        this.resumeFrom = builder.resumeFrom;
        if (!(model.baseModel().root() instanceof BertForSequenceClassification classifier)) {
            throw new IllegalArgumentException("the trainer needs a SEQ_CLS model, got " + model.baseModel().taskType());
        }
        this.numLabels = classifier.numLabels();
        if (tokenizer.maxLength() != recipe.maxLength()) {
            throw new IllegalArgumentException("the tokenizer truncates at " + tokenizer.maxLength()
                    + " tokens but recipe.max_length is " + recipe.maxLength() + "; load it with that max length");
        }
    }

    /** @return a builder; model, tokenizer and recipe are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains for {@code recipe.epochs()} epochs, evaluating after each.
     *
     * @param train training examples, non-empty
     * @param heldOut evaluation examples; empty to skip evaluation
     * @return per-epoch metrics, counts, timings and every update's event (a resumed run's
     *     include those before the snapshot, except {@code step_nanos})
     * @throws IllegalArgumentException if {@code train} is empty, a label is outside
     *     {@code [0, num_labels)}, or the model has no trainable parameters
     *     ({@code no trainable parameters: ...})
     * @throws IllegalArgumentException {@code cannot resume: ...} when resuming from a snapshot
     *     of another run (see {@link Builder#optResumeFrom})
     * @throws IllegalStateException if the loss becomes NaN or infinite
     * @throws UncheckedIOException if a checkpoint cannot be saved
     */
    public TrainingResult train(List<TrainingExample> train, List<TrainingExample> heldOut) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        requireLabels("training", train);
        requireLabels("held-out", heldOut);
        long start = System.nanoTime();
        int batchesPerEpoch = Math.toIntExact(Math.ceilDiv(train.size(), recipe.batchSize()));
        long totalSteps = recipe.epochs() * recipe.updatesPerEpoch(train.size());
        LinearSchedule schedule = LinearSchedule.withWarmupRatio(recipe.lr(), recipe.warmupRatio(), totalSteps);
        TrainingMeters meters = TrainingMeters.of(registry);
        List<Long> stepNanos = new ArrayList<>();
        try (AdamW optimizer = AdamW.builder()
                        .setParameters(Parameters.byName(model.baseModel().root()))
                        .optWeightDecay(recipe.weightDecay())
                        .build()) {
            RunLedger ledger = resumeFrom == null
                    ? RunLedger.fresh(recipe, train.size(), batchesPerEpoch, totalSteps)
                    : SnapshotRestore.restore(resumeFrom, optimizer, recipe, train.size(), totalSteps);
            try (TrainingProgress progress = TrainingProgress.create(progressBar, totalSteps, ledger.globalStep())) {
                TrainingStep update = new TrainingStep(model, tokenizer, optimizer, recipe.seed(), recipe.maxGradNorm());
                while (!ledger.finished()) {
                    int epoch = ledger.epoch();
                    List<List<TrainingExample>> batches = batches(train, EpochShuffle.order(recipe.seed(), epoch, train.size()));
                    for (int first = ledger.nextBatch(); first < batches.size(); first += recipe.gradientAccumulationSteps()) {
                        int end = Math.min(batches.size(), first + recipe.gradientAccumulationSteps());
                        long step = ledger.globalStep();
                        double lr = schedule.learningRate(step);
                        long began = System.nanoTime();
                        TrainingStep.Outcome outcome = update.run(batches.subList(first, end), lr, (long) epoch * batchesPerEpoch + first);
                        long nanos = System.nanoTime() - began;
                        StepEvent event = new StepEvent(epoch, step, totalSteps, outcome.loss(), lr, outcome.gradNorm(),
                                outcome.examples(), outcome.tokens(), nanos);
                        ledger.recordUpdate(event, end);
                        stepNanos.add(nanos);
                        meters.record(event);
                        progress.step(event);
                        if (checkpointSink != null && ledger.globalStep() % saveSteps == 0 && ledger.globalStep() < totalSteps) {
                            saveCheckpoint(ledger, optimizer);
                        }
                        listener.onStep(event);
                    }
                    Evaluation evaluation = heldOut.isEmpty() ? null
                            : Evaluator.evaluate(model, tokenizer, heldOut, recipe.batchSize(), numLabels);
                    EpochMetrics metrics = new EpochMetrics(epoch, ledger.epochTrainLoss(epoch), evaluation);
                    ledger.finishEpoch(metrics);
                    listener.onEpoch(metrics);
                }
            }
            if (checkpointSink != null && (resumeFrom == null || !resumeFrom.state().finished())) {
                saveCheckpoint(ledger, optimizer);
            }
            return new TrainingResult(ledger.epochs(), ledger.globalStep(), ledger.examplesSeen(), ledger.tokensSeen(),
                    Duration.ofNanos(System.nanoTime() - start), stepNanos, ledger.history());
        }
    }

    private void saveCheckpoint(RunLedger ledger, AdamW optimizer) {
        try {
            checkpointSink.save(TrainingSnapshot.capture(ledger.toState(), optimizer, model));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the training checkpoint after update " + ledger.globalStep()
                    + ": " + e.getMessage(), e);
        }
    }

    private List<List<TrainingExample>> batches(List<TrainingExample> examples, int[] order) {
        List<List<TrainingExample>> batches = new ArrayList<>();
        for (int start = 0; start < order.length; start += recipe.batchSize()) {
            List<TrainingExample> batch = new ArrayList<>();
            for (int i = start; i < Math.min(order.length, start + recipe.batchSize()); i++) {
                batch.add(examples.get(order[i]));
            }
            batches.add(batch);
        }
        return batches;
    }

    private void requireLabels(String set, List<TrainingExample> examples) {
        for (TrainingExample example : examples) {
            if (example.label() >= numLabels) {
                throw new IllegalArgumentException(set + " label " + example.label() + " is outside [0, " + numLabels
                        + ") for \"" + example.text() + "\"");
            }
        }
    }

    /** @return the recipe this trainer runs */
    public TrainingRecipe recipe() {
        return recipe;
    }

    /** Builds a {@link Trainer}: {@code set*} required, {@code opt*} optional (DJL convention). */
    public static final class Builder {

        private PeftModel model;
        private SentenceTokenizer tokenizer;
        private TrainingRecipe recipe;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private boolean progressBar = true;
        private TrainingListener listener = new TrainingListener() {};
        private long saveSteps;
        private CheckpointSink checkpointSink;
        private TrainingSnapshot resumeFrom;

        private Builder() {}

        /**
         * @param model the adapted {@code SEQ_CLS} model to train in place
         * @return this builder
         */
        public Builder setModel(PeftModel model) {
            this.model = model;
            return this;
        }

        /**
         * @param tokenizer tokenizes each batch; its max length must equal the recipe's
         * @return this builder
         */
        public Builder setTokenizer(SentenceTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /**
         * @param recipe the hyper-parameters
         * @return this builder
         */
        public Builder setRecipe(TrainingRecipe recipe) {
            this.recipe = recipe;
            return this;
        }

        /**
         * @param registry where {@link TrainingMeters} are registered (default: a new
         *     {@link SimpleMeterRegistry})
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
         * @param listener receives per-step and per-epoch events (default: none)
         * @return this builder
         */
        public Builder optListener(TrainingListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Takes a {@link TrainingSnapshot} every {@code saveSteps} updates and once at the end of
         * the run (after the last evaluation), HF {@code save_steps}. A snapshot is taken after
         * the update's meters and progress, before {@link TrainingListener#onStep}.
         *
         * @param saveSteps updates between snapshots, &gt; 0
         * @param sink where the snapshots go
         * @return this builder
         * @throws IllegalArgumentException {@code save_steps must be > 0, got 0}
         */
        public Builder optCheckpoints(long saveSteps, CheckpointSink sink) {
            if (saveSteps <= 0) {
                throw new IllegalArgumentException("save_steps must be > 0, got " + saveSteps);
            }
            this.saveSteps = saveSteps;
            this.checkpointSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Continues a run from a snapshot instead of starting at update 0: the trainable
         * parameters and the AdamW state are restored, the loop resumes at the snapshot's epoch
         * and batch, the schedule at its update, and the returned result includes the snapshot's
         * history. {@link #train} then throws {@code IllegalArgumentException} starting with
         * {@code cannot resume: } when the recipe, the number of training examples or the
         * trainable parameters differ from the snapshot's. A snapshot of a finished run trains
         * nothing and is not saved again.
         *
         * @param snapshot the state to continue from
         * @return this builder
         */
        public Builder optResumeFrom(TrainingSnapshot snapshot) {
            this.resumeFrom = Objects.requireNonNull(snapshot, "snapshot");
            return this;
        }

        /**
         * @return the trainer
         * @throws NullPointerException if model, tokenizer or recipe is missing
         * @throws IllegalArgumentException if the model is not {@code SEQ_CLS} or the tokenizer's
         *     max length differs from {@code recipe.max_length}
         */
        public Trainer build() {
            Objects.requireNonNull(model, "setModel(...) is required");
            Objects.requireNonNull(tokenizer, "setTokenizer(...) is required");
            Objects.requireNonNull(recipe, "setRecipe(...) is required");
            return new Trainer(this);
        }
    }
}
