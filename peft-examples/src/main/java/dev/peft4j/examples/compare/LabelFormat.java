package dev.peft4j.examples.compare;

import java.io.Serial;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Axis tick labels for JFreeChart (which takes a {@link NumberFormat}) from a function; formatting
 * only, parsing is not supported.
 */
final class LabelFormat extends NumberFormat {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient DoubleFunction<String> format;

    private LabelFormat(DoubleFunction<String> format) {
        this.format = format;
    }

    /**
     * @return sizes in binary units as {@link ReportFormat#bytes(long)}, without a {@code .0}
     *     decimal: {@code 64 KiB}, {@code 1.5 MiB}
     */
    static LabelFormat bytes() {
        return new LabelFormat(value -> ReportFormat.bytes(Math.round(value)).replace(".0 ", " "));
    }

    /**
     * @param decimals digits after the point
     * @param max the largest value labelled; ticks above it (axis headroom for item labels) stay blank
     * @return plain decimals up to {@code max}
     */
    static LabelFormat decimalsUpTo(int decimals, double max) {
        String pattern = "%." + decimals + "f";
        return new LabelFormat(value -> value > max + 1e-9 ? "" : String.format(Locale.ROOT, pattern, value));
    }

    /** @return counts with SI suffixes: {@code 100}, {@code 10K}, {@code 1.5M}, {@code 2G} */
    static LabelFormat count() {
        return new LabelFormat(LabelFormat::si);
    }

    static String si(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 1e9) {
            return trim(value / 1e9) + "G";
        }
        if (magnitude >= 1e6) {
            return trim(value / 1e6) + "M";
        }
        if (magnitude >= 1e3) {
            return trim(value / 1e3) + "K";
        }
        return trim(value);
    }

    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    @Override
    public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition pos) {
        return toAppendTo.append(format.apply(number));
    }

    @Override
    public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
        return toAppendTo.append(format.apply(number));
    }

    @Override
    public Number parse(String source, ParsePosition parsePosition) {
        throw new UnsupportedOperationException("tick labels are not parsed");
    }
}
