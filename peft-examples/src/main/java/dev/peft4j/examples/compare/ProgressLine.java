package dev.peft4j.examples.compare;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * The machine-readable progress line a method's child JVM prints after every optimizer update,
 * {@code PEFT_PROGRESS <updates done> <updates planned>}, which the parent turns into a progress bar.
 */
public final class ProgressLine {

    /** The prefix of a progress line. */
    public static final String MARKER = "PEFT_PROGRESS ";

    private ProgressLine() {}

    /**
     * @param done updates taken so far
     * @param total updates planned
     * @return the line, without a line break
     */
    public static String format(long done, long total) {
        return String.format(Locale.ROOT, "%s%d %d", MARKER, done, total);
    }

    /**
     * @param line a line of the child's output
     * @return {@code [done, total]}, or {@code null} if it is not a well-formed progress line
     */
    public static long[] parse(String line) {
        if (!line.startsWith(MARKER)) {
            return null;
        }
        String[] parts = line.substring(MARKER.length()).trim().split(" ");
        if (parts.length != 2) {
            return null;
        }
        OptionalLong done = number(parts[0]);
        OptionalLong total = number(parts[1]);
        return done.isPresent() && total.isPresent() ? new long[] {done.getAsLong(), total.getAsLong()} : null;
    }

    private static OptionalLong number(String text) {
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
