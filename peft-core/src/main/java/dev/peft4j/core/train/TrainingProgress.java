package dev.peft4j.core.train;

import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar over optimizer updates, with elapsed time, ETA, speed and the last
 * loss and learning rate, drawn on {@code stderr} by me.tongfei progressbar; or nothing when
 * disabled (tests, batch jobs). Shared by {@link Trainer} and the causal-LM trainer.
 */
public final class TrainingProgress implements AutoCloseable {

    /** Characters drawn off a terminal: room for the bar, ETA, speed and the loss message. */
    private static final int MAX_WIDTH = 120;

    private final ProgressBar bar;

    private TrainingProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param enabled whether to draw
     * @param totalSteps updates planned
     * @return the progress display, starting at update 0
     */
    public static TrainingProgress create(boolean enabled, long totalSteps) {
        return create(enabled, totalSteps, 0);
    }

    /**
     * @param enabled whether to draw
     * @param totalSteps updates planned
     * @param doneSteps updates already taken (a resumed run starts there)
     * @return the progress display
     */
    public static TrainingProgress create(boolean enabled, long totalSteps, long doneSteps) {
        if (!enabled) {
            return new TrainingProgress(null);
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(consumer())
                .setUnit(" steps", 1)
                .showSpeed()
                .startsFrom(doneSteps, java.time.Duration.ZERO)
                .build();
        return new TrainingProgress(bar);
    }

    /** On a terminal the bar fits its width; redirected, lines are {@link #MAX_WIDTH} wide. */
    private static ConsoleProgressBarConsumer consumer() {
        return System.console() != null && System.console().isTerminal()
                ? new ConsoleProgressBarConsumer(System.err)
                : new ConsoleProgressBarConsumer(System.err, MAX_WIDTH);
    }

    /**
     * Advances the bar by one update and shows its epoch, loss and learning rate.
     *
     * @param event the update
     */
    public void step(StepEvent event) {
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d loss %.4f lr %.2e", event.epoch() + 1, event.loss(), event.learningRate()));
            bar.step();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
