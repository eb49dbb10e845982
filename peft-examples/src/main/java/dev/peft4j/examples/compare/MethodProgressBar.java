package dev.peft4j.examples.compare;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One method's progress bar in the parent ({@code lora  42% [====>   ] 42/100 (0:00:31 / 0:00:43)}),
 * drawn on {@code stderr} by me.tongfei progressbar from the child's {@link ProgressLine}s, with
 * elapsed time and ETA; or nothing when disabled. The bar appears with the first update, once the
 * child knows how many updates it plans.
 */
public final class MethodProgressBar implements MethodProcess.Listener, AutoCloseable {

    private final boolean enabled;
    private final String name;
    private final PrintStream stream;
    private ProgressBar bar;

    /**
     * @param enabled whether to draw anything
     * @param name the method, left of the bar
     * @param stream where the bar is drawn
     */
    public MethodProgressBar(boolean enabled, String name, PrintStream stream) {
        this.enabled = enabled;
        this.name = name;
        this.stream = stream;
    }

    @Override
    public synchronized void progress(long done, long total) {
        if (!enabled) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(String.format("%-10s", name)).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(stream))
                    .setUnit(" steps", 1).showSpeed().build();
        }
        bar.stepTo(done);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
