package dev.peft4j.examples.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The markdown table of {@code peft compare-lm}: one row per method with its trainable parameters,
 * the fortunes perplexity before and after, Moby Dick's with the adapter enabled and disabled
 * beside the base's, whether the base is intact, step time, throughput, memory and adapter size.
 */
public final class LmCompareTable {

    private static final String MISSING = "–";

    private LmCompareTable() {}

    /**
     * @param results a comparison
     * @return the table, header and one line per method, each ending in a line break
     */
    public static String markdown(LmCompareResults results) {
        StringBuilder out = new StringBuilder();
        out.append("| method | trainable params (%) | fortunes ppl before → after | Moby Dick ppl base → enabled | Moby Dick ppl disabled"
                + " | base intact | median step | tokens/s | peak RSS over idle | adapter size (vs full) |\n");
        out.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (LmMethodResult m : results.methods()) {
            if (!m.isOk()) {
                out.append("| ").append(m.method()).append(" | FAILED: ").append(m.failure().replace("|", "\\|"))
                        .append(" | | | | | | | | |\n");
                continue;
            }
            List<String> cells = new ArrayList<>();
            cells.add(m.method());
            cells.add(String.format(Locale.ROOT, "%,d (%s%%)", m.trainableParams(), percent(m.trainablePercent())));
            cells.add(String.format(Locale.ROOT, "%.3f → %.3f", m.fortunesPerplexityBefore(), m.fortunesPerplexity()));
            cells.add(String.format(Locale.ROOT, "%.3f → %.3f", m.mobyDickPerplexityBase(), m.mobyDickPerplexity()));
            cells.add(m.mobyDickPerplexityDisabled() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", m.mobyDickPerplexityDisabled()));
            cells.add(m.baseIntact() == null ? "n/a" : m.baseIntact() ? "yes" : "NO");
            cells.add(String.format(Locale.ROOT, "%,.0f ms", m.medianStepMillis()));
            cells.add(String.format(Locale.ROOT, "%,.0f", m.tokensPerSecond()));
            cells.add(m.memory() == null ? MISSING : String.format(Locale.ROOT, "%,.1f MiB", m.memory().measuredOverIdleBytes() / 1048576.0));
            cells.add(String.format(Locale.ROOT, "%s (%s%%)", size(m.adapterBytes()),
                    percent(100.0 * m.adapterBytes() / m.fullModelBytes())));
            out.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        return out.toString();
    }

    /**
     * @param percent a percentage
     * @return two decimals, or three significant digits below 0.1
     */
    static String percent(double percent) {
        return percent >= 0.1 ? String.format(Locale.ROOT, "%.2f", percent) : String.format(Locale.ROOT, "%.3g", percent);
    }

    /**
     * @param bytes a size
     * @return it in B, KB or MB (powers of 1000, as disk sizes)
     */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        return bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f KB", bytes / 1e3) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
