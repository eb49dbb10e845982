package dev.peft4j.core.train;

/**
 * Receives training events on the training thread, synchronously: keep handlers short. Both
 * methods default to doing nothing.
 */
public interface TrainingListener {

    /**
     * Called after every optimizer update.
     *
     * @param event what the update did
     */
    default void onStep(StepEvent event) {}

    /**
     * Called after every epoch, its evaluation included.
     *
     * @param metrics the epoch's summary
     */
    default void onEpoch(EpochMetrics metrics) {}
}
