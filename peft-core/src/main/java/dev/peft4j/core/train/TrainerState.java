package dev.peft4j.core.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Where a training run stands after an optimizer update, everything but the tensors: the
 * counterpart of HF transformers' {@code trainer_state.json} ({@code global_step},
 * {@code max_steps}, {@code log_history}), plus the data position and the seeds a resumed run
 * needs to continue exactly (see {@link TrainingSnapshot}).
 *
 * <p>The data position is {@code (epoch, next_batch)}: the next update starts with batch
 * {@code next_batch} of epoch {@code epoch}'s order, {@link EpochShuffle#order} keyed by
 * {@code (shuffle_seed, epoch)}. Snapshots are taken between updates only, so a gradient
 * accumulation group never straddles one; {@code next_batch == batches_per_epoch} means the
 * epoch's updates are done but its evaluation is not.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param globalStep optimizer updates taken, &gt;= 0
 * @param totalSteps updates the run plans ({@code epochs * updates_per_epoch}); the learning-rate
 *     schedule runs over this many
 * @param epoch epoch of the next update, from 0; {@code recipe.epochs} once the run is done
 * @param nextBatch index of the next batch in that epoch's shuffled order
 * @param batchesPerEpoch {@code ceil(train_examples / batch_size)}
 * @param trainExamples training examples per epoch
 * @param shuffleSeed seeds each epoch's order (the recipe's {@code seed})
 * @param dropoutSeed seeds the dropout masks with the forward-pass index (the recipe's {@code seed})
 * @param examplesSeen training examples processed so far
 * @param tokensSeen real training tokens processed so far
 * @param recipe the run's hyper-parameters
 * @param logHistory every update so far, in order: loss, learning rate, gradient norm, ...
 * @param epochs summaries of the epochs finished and evaluated so far
 */
public record TrainerState(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("global_step") long globalStep,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("next_batch") int nextBatch,
        @JsonProperty("batches_per_epoch") int batchesPerEpoch,
        @JsonProperty("train_examples") int trainExamples,
        @JsonProperty("shuffle_seed") long shuffleSeed,
        @JsonProperty("dropout_seed") long dropoutSeed,
        @JsonProperty("examples_seen") long examplesSeen,
        @JsonProperty("tokens_seen") long tokensSeen,
        @JsonProperty("recipe") TrainingRecipe recipe,
        @JsonProperty("log_history") List<StepEvent> logHistory,
        @JsonProperty("epochs") List<EpochMetrics> epochs) {

    /** The version of this layout; a reader rejects others. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Validates the counters against each other.
     *
     * @throws IllegalArgumentException naming the inconsistent field, e.g.
     *     {@code trainer_state.log_history has 3 entries but global_step is 4}
     */
    public TrainerState {
        if (recipe == null) {
            throw new IllegalArgumentException("trainer_state.recipe is missing");
        }
        logHistory = logHistory == null ? List.of() : List.copyOf(logHistory);
        epochs = epochs == null ? List.of() : List.copyOf(epochs);
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("trainer_state.format_version must be " + FORMAT_VERSION + ", got " + formatVersion);
        }
        if (globalStep < 0 || globalStep > totalSteps) {
            throw new IllegalArgumentException("trainer_state.global_step must be in [0, " + totalSteps + "], got " + globalStep);
        }
        if (logHistory.size() != globalStep) {
            throw new IllegalArgumentException("trainer_state.log_history has " + logHistory.size()
                    + " entries but global_step is " + globalStep);
        }
        if (epoch < 0 || epoch > recipe.epochs()) {
            throw new IllegalArgumentException("trainer_state.epoch must be in [0, " + recipe.epochs() + "], got " + epoch);
        }
        if (nextBatch < 0 || nextBatch > batchesPerEpoch) {
            throw new IllegalArgumentException("trainer_state.next_batch must be in [0, " + batchesPerEpoch + "], got " + nextBatch);
        }
        if (trainExamples <= 0) {
            throw new IllegalArgumentException("trainer_state.train_examples must be > 0, got " + trainExamples);
        }
        if (batchesPerEpoch != Math.ceilDiv(trainExamples, recipe.batchSize())) {
            throw new IllegalArgumentException("trainer_state.batches_per_epoch is " + batchesPerEpoch + " but "
                    + trainExamples + " train_examples in batches of " + recipe.batchSize() + " make "
                    + Math.ceilDiv(trainExamples, recipe.batchSize()));
        }
        if (totalSteps != recipe.epochs() * recipe.updatesPerEpoch(trainExamples)) {
            throw new IllegalArgumentException("trainer_state.total_steps is " + totalSteps + " but the recipe makes "
                    + recipe.epochs() * recipe.updatesPerEpoch(trainExamples) + " updates of " + trainExamples + " train_examples");
        }
        if (shuffleSeed != recipe.seed() || dropoutSeed != recipe.seed()) {
            throw new IllegalArgumentException("trainer_state.shuffle_seed (" + shuffleSeed + ") and dropout_seed (" + dropoutSeed
                    + ") must equal recipe.seed (" + recipe.seed() + ")");
        }
        long position = epoch * recipe.updatesPerEpoch(trainExamples) + Math.ceilDiv(nextBatch, recipe.gradientAccumulationSteps());
        if (globalStep != position) {
            throw new IllegalArgumentException("trainer_state.global_step is " + globalStep + " but epoch " + epoch
                    + ", next_batch " + nextBatch + " is the position after " + position + " updates");
        }
        if (epochs.size() != epoch) {
            throw new IllegalArgumentException("trainer_state.epochs has " + epochs.size() + " entries but epoch is " + epoch);
        }
    }

    /** @return whether every planned update and evaluation is done */
    public boolean finished() {
        return epoch == recipe.epochs();
    }
}
