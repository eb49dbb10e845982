package dev.peft4j.examples.compare;

import java.util.Locale;

/**
 * How the report prints numbers: {@link Locale#ROOT}, thousands separated by commas, sizes in
 * binary units (KiB = 1,024 bytes, MiB = 1,024² bytes, GiB = 1,024³ bytes). A missing value
 * ({@code null}) prints as {@value #MISSING}.
 */
final class ReportFormat {

    /** What a value the run did not reach prints as. */
    static final String MISSING = "–";

    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private ReportFormat() {}

    /** @return e.g. {@code 0.7925} (4 decimals), or {@value #MISSING} */
    static String fraction(Double value) {
        return value == null ? MISSING : String.format(Locale.ROOT, "%.4f", value);
    }

    /** @return e.g. {@code 294,912}, or {@value #MISSING} */
    static String count(Long value) {
        return value == null ? MISSING : String.format(Locale.ROOT, "%,d", value);
    }

    /** @return e.g. {@code 1.30%} for 1.3 (a value already in percent), or {@value #MISSING} */
    static String percent(Double percent) {
        return percent == null ? MISSING : String.format(Locale.ROOT, "%.2f%%", percent);
    }

    /** @return e.g. {@code 412 ms} (rounded to whole milliseconds, one decimal below 10 ms), or {@value #MISSING} */
    static String millis(Double millis) {
        if (millis == null) {
            return MISSING;
        }
        return millis < 10 ? String.format(Locale.ROOT, "%.1f ms", millis) : String.format(Locale.ROOT, "%,.0f ms", millis);
    }

    /** @return e.g. {@code 1,234} (rounded to a whole number), or {@value #MISSING} */
    static String rate(Double perSecond) {
        return perSecond == null ? MISSING : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    /** @return {@code bytes} in MiB with one decimal, e.g. {@code 890.1} */
    static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%,.1f", bytes / (1024.0 * 1024.0));
    }

    /**
     * @param bytes a size in bytes, {@code >= 0}
     * @return the size in the largest binary unit that keeps the number at or above 1, one decimal
     *     (bytes as a whole number): {@code 512 B}, {@code 1.2 KiB}, {@code 86.1 MiB}
     */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%,.1f %s", value, BINARY_UNITS[unit]);
    }
}
