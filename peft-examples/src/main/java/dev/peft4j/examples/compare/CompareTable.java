package dev.peft4j.examples.compare;

import java.util.List;
import java.util.Locale;

/**
 * The markdown table {@code peft compare} prints: one row per method, failed methods with their
 * reason. Memory in MiB (2^20 bytes), adapter sizes in KB / MB (10^3 / 10^6 bytes), as on disk.
 */
public final class CompareTable {

    static final String HEADER = "| method | trainable params (%) | accuracy | macro-F1 | loss | median step | tokens/s "
            + "| peak RSS over idle (measured / accounted) | adapter size (vs full) | forgetting cosine | base intact |";

    static final int COLUMNS = 11;

    private CompareTable() {}

    /**
     * @param results the comparison
     * @return the table, one line per method after the header and separator, each ending in a line break
     */
    public static String markdown(CompareResults results) {
        StringBuilder table = new StringBuilder(HEADER).append('\n');
        table.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (MethodResult method : results.methods()) {
            table.append(row(method)).append('\n');
        }
        return table.toString();
    }

    static String row(MethodResult m) {
        if (!m.isOk()) {
            List<String> cells = new java.util.ArrayList<>(List.of(m.method(), "failed: " + m.failure().replace("|", "\\|")));
            while (cells.size() < COLUMNS) {
                cells.add("");
            }
            return "| " + String.join(" | ", cells) + " |";
        }
        List<String> cells = List.of(
                m.method(),
                String.format(Locale.ROOT, "%,d (%s%%)", m.trainableParams(), percent(m.trainablePercent())),
                String.format(Locale.ROOT, "%.4f", m.accuracy()),
                String.format(Locale.ROOT, "%.4f", m.macroF1()),
                String.format(Locale.ROOT, "%.4f", m.loss()),
                String.format(Locale.ROOT, "%,.0f ms", m.medianStepMillis()),
                String.format(Locale.ROOT, "%,.0f", m.tokensPerSecond()),
                String.format(Locale.ROOT, "%,.1f / %,.1f MiB", mib(m.memory().measuredOverIdleBytes()), mib(m.memory().accountedOverIdleBytes())),
                String.format(Locale.ROOT, "%s (%s%%)", bytes(m.checkpoint().adapterBytes()), percent(100 * m.checkpoint().ratio())),
                m.forgetting() == null ? "not measured" : String.format(Locale.ROOT, "%.4f", m.forgetting().meanCosine()),
                baseIntact(m));
        return "| " + String.join(" | ", cells) + " |";
    }

    private static String baseIntact(MethodResult m) {
        MethodResult.Forgetting f = m.forgetting();
        if (f == null) {
            return "not measured";
        }
        if (f.disabledEmbeddingsIdentical() == null || f.disabledLogitsIdentical() == null) {
            return "n/a";
        }
        return f.disabledEmbeddingsIdentical() && f.disabledLogitsIdentical() ? "yes"
                : "no (embeddings " + f.disabledEmbeddingsIdentical() + ", logits " + f.disabledLogitsIdentical() + ")";
    }

    /** @return a percentage with two decimals from 0.1 up, two significant digits below (so 0.0374 shows as 0.037, not 0.04) */
    static String percent(double value) {
        return value >= 0.1 || value == 0 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.2g", value);
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** @return {@code 302.1 KB} below 1 MB, {@code 90.9 MB} above (decimal units) */
    static String bytes(long bytes) {
        return bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f KB", bytes / 1e3) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
