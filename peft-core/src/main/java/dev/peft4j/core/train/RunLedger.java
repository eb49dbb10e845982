package dev.peft4j.core.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The running account of a training run that a {@link TrainerState} freezes: the update count,
 * the data position {@code (epoch, next_batch)}, counters, every update's {@link StepEvent} and
 * the finished epochs. Starts fresh or from a restored state.
 */
final class RunLedger {

    private final TrainingRecipe recipe;
    private final int trainExamples;
    private final int batchesPerEpoch;
    private final long totalSteps;
    private final List<StepEvent> history;
    private final List<EpochMetrics> epochs;
    private long globalStep;
    private int epoch;
    private int nextBatch;
    private long examplesSeen;
    private long tokensSeen;

    private RunLedger(TrainerState state, int batchesPerEpoch) {
        this.recipe = state.recipe();
        this.trainExamples = state.trainExamples();
        this.batchesPerEpoch = batchesPerEpoch;
        this.totalSteps = state.totalSteps();
        this.history = new ArrayList<>(state.logHistory());
        this.epochs = new ArrayList<>(state.epochs());
        this.globalStep = state.globalStep();
        this.epoch = state.epoch();
        this.nextBatch = state.nextBatch();
        this.examplesSeen = state.examplesSeen();
        this.tokensSeen = state.tokensSeen();
    }

    /** A run at update 0, epoch 0, batch 0. */
    static RunLedger fresh(TrainingRecipe recipe, int trainExamples, int batchesPerEpoch, long totalSteps) {
        return new RunLedger(new TrainerState(TrainerState.FORMAT_VERSION, 0, totalSteps, 0, 0, batchesPerEpoch,
                trainExamples, recipe.seed(), recipe.seed(), 0, 0, recipe, List.of(), List.of()), batchesPerEpoch);
    }

    /** A run continuing from {@code state}, whose shape the caller has checked. */
    static RunLedger resumed(TrainerState state) {
        return new RunLedger(state, state.batchesPerEpoch());
    }

    /** Records an update and moves the data position to {@code nextBatch}. */
    void recordUpdate(StepEvent event, int nextBatch) {
        history.add(event);
        globalStep++;
        examplesSeen += event.examples();
        tokensSeen += event.tokens();
        this.nextBatch = nextBatch;
    }

    /**
     * The mean of the epoch's update losses, summed in update order (so a resumed run gets the
     * same double as an uninterrupted one).
     */
    double epochTrainLoss(int epochIndex) {
        double sum = 0;
        int count = 0;
        for (StepEvent event : history) {
            if (event.epoch() == epochIndex) {
                sum += event.loss();
                count++;
            }
        }
        return sum / count;
    }

    /** Closes the current epoch with its summary; the position moves to the next epoch's batch 0. */
    void finishEpoch(EpochMetrics metrics) {
        epochs.add(metrics);
        epoch++;
        nextBatch = 0;
    }

    boolean finished() {
        return epoch >= recipe.epochs();
    }

    long globalStep() {
        return globalStep;
    }

    int epoch() {
        return epoch;
    }

    int nextBatch() {
        return nextBatch;
    }

    long examplesSeen() {
        return examplesSeen;
    }

    long tokensSeen() {
        return tokensSeen;
    }

    List<StepEvent> history() {
        return List.copyOf(history);
    }

    List<EpochMetrics> epochs() {
        return List.copyOf(epochs);
    }

    /** @return the ledger frozen as a {@link TrainerState} */
    TrainerState toState() {
        return new TrainerState(TrainerState.FORMAT_VERSION, globalStep, totalSteps, epoch, nextBatch, batchesPerEpoch,
                trainExamples, recipe.seed(), recipe.seed(), examplesSeen, tokensSeen, recipe, history, epochs);
    }
}
