package dev.peft4j.core.train;

import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar over optimizer updates, with elapsed time, ETA, speed and the last
 * loss and learning rate, drawn on {@code stderr} by me.tongfei progressbar; or nothing when
 * disabled (tests, batch jobs).
 */
final class TrainingProgress implements AutoCloseable {

    private final ProgressBar bar;

    private TrainingProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param enabled whether to draw
     * @param totalSteps updates planned
     * @return the progress display
     */
    static TrainingProgress create(boolean enabled, long totalSteps) {
        if (!enabled) {
            return new TrainingProgress(null);
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUnit(" steps", 1)
                .showSpeed()
                .build();
        return new TrainingProgress(bar);
    }

    void step(StepEvent event) {
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d loss %.4f lr %.2e", event.epoch() + 1, event.loss(), event.learningRate()));
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
