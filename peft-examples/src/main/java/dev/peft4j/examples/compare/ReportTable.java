package dev.peft4j.examples.compare;

import dev.peft4j.examples.compare.MethodResult.Checkpoint;
import dev.peft4j.examples.compare.MethodResult.Forgetting;
import dev.peft4j.examples.compare.MethodResult.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison table, one row per method in the order run, as plain cell text shared by the
 * markdown table and {@code report.html}. Columns: method; trainable parameters (and % of all);
 * held-out accuracy, macro-F1 and loss; median update time; training tokens per second; memory
 * over idle, measured / accounted (MiB); adapter checkpoint / full model (and their ratio); mean
 * cosine of the trained against the base model's embeddings; whether the base is intact with the
 * adapter disabled ({@code n/a} for full fine-tuning). A failed method's row holds its failure.
 */
public final class ReportTable {

    /** The column headings, in order. */
    public static final List<String> HEADINGS = List.of("method", "trainable (%)", "accuracy", "macro-F1", "loss",
            "median step", "tokens/s", "memory over idle, measured / accounted (MiB)", "adapter / full model",
            "forgetting (mean cosine)", "base intact");

    /**
     * One method's row.
     *
     * @param method the method's label
     * @param failure why it failed, {@code null} when it finished
     * @param cells one cell per {@link #HEADINGS} entry (the first is the method); for a failed
     *     method only the method cell is set and the others are empty
     */
    public record Row(String method, String failure, List<String> cells) {
        /** Copies the cells. */
        public Row {
            cells = List.copyOf(cells);
        }

        /** @return whether the method failed */
        public boolean failed() {
            return failure != null;
        }
    }

    private ReportTable() {}

    /**
     * @param results a comparison
     * @return one row per method, in the order run
     */
    public static List<Row> rows(CompareResults results) {
        List<Row> rows = new ArrayList<>();
        for (MethodResult method : results.methods()) {
            rows.add(row(method));
        }
        return rows;
    }

    /**
     * The table as GitHub markdown; a failed method's row reads {@code failed: <reason>} in its
     * second column. Pipes and line breaks inside cells are escaped.
     *
     * @param results a comparison
     * @return the table, one line per row, each ending in a newline
     */
    public static String markdown(CompareResults results) {
        StringBuilder out = new StringBuilder();
        out.append(markdownLine(HEADINGS));
        List<String> rule = new ArrayList<>();
        rule.add("---");
        for (int i = 1; i < HEADINGS.size(); i++) {
            rule.add("---:");
        }
        out.append(markdownLine(rule));
        for (Row row : rows(results)) {
            if (row.failed()) {
                List<String> cells = new ArrayList<>(row.cells());
                cells.set(1, "failed: " + row.failure());
                out.append(markdownLine(cells));
            } else {
                out.append(markdownLine(row.cells()));
            }
        }
        return out.toString();
    }

    private static Row row(MethodResult m) {
        if (!m.isOk()) {
            List<String> cells = new ArrayList<>(List.of(m.method()));
            while (cells.size() < HEADINGS.size()) {
                cells.add("");
            }
            return new Row(m.method(), m.failure() == null ? "failed (no reason recorded)" : m.failure(), cells);
        }
        return new Row(m.method(), null, List.of(
                m.method(),
                trainable(m),
                ReportFormat.fraction(m.accuracy()),
                ReportFormat.fraction(m.macroF1()),
                ReportFormat.fraction(m.loss()),
                ReportFormat.millis(m.medianStepMillis()),
                ReportFormat.rate(m.tokensPerSecond()),
                memory(m.memory()),
                checkpoint(m.checkpoint()),
                forgetting(m.forgetting()),
                baseIntact(m.forgetting())));
    }

    private static String trainable(MethodResult m) {
        if (m.trainableParams() == null) {
            return ReportFormat.MISSING;
        }
        return ReportFormat.count(m.trainableParams()) + " (" + ReportFormat.percent(m.trainablePercent()) + ")";
    }

    private static String memory(Memory memory) {
        if (memory == null) {
            return ReportFormat.MISSING;
        }
        return ReportFormat.mebibytes(memory.measuredOverIdleBytes()) + " / "
                + ReportFormat.mebibytes(memory.accountedOverIdleBytes());
    }

    private static String checkpoint(Checkpoint checkpoint) {
        if (checkpoint == null) {
            return ReportFormat.MISSING;
        }
        return ReportFormat.bytes(checkpoint.adapterBytes()) + " / " + ReportFormat.bytes(checkpoint.fullModelBytes())
                + " (" + String.format(Locale.ROOT, "%.3g%%", 100 * checkpoint.ratio()) + ")";
    }

    private static String forgetting(Forgetting forgetting) {
        if (forgetting == null) {
            return ReportFormat.MISSING;
        }
        return String.format(Locale.ROOT, "%.4f (min %.4f)", forgetting.meanCosine(), forgetting.minCosine());
    }

    /**
     * @return {@code yes} when the embeddings and the logits with the adapter disabled are both
     *     bit-identical to the base's, {@code no} when either differs, {@code n/a} when not
     *     applicable (full fine-tuning), {@value ReportFormat#MISSING} when not measured
     */
    static String baseIntact(Forgetting forgetting) {
        Boolean intact = baseIntactFlag(forgetting);
        if (forgetting == null) {
            return ReportFormat.MISSING;
        }
        return intact == null ? "n/a" : intact ? "yes" : "no";
    }

    /** @return whether the base is intact, {@code null} when not applicable or not measured */
    static Boolean baseIntactFlag(Forgetting forgetting) {
        if (forgetting == null) {
            return null;
        }
        Boolean embeddings = forgetting.disabledEmbeddingsIdentical();
        Boolean logits = forgetting.disabledLogitsIdentical();
        if (embeddings == null && logits == null) {
            return null;
        }
        return Boolean.TRUE.equals(embeddings) && Boolean.TRUE.equals(logits);
    }

    private static String markdownLine(List<String> cells) {
        StringBuilder line = new StringBuilder("|");
        for (String cell : cells) {
            line.append(' ').append(cell.replace("|", "\\|").replace("\r", " ").replace("\n", " ")).append(" |");
        }
        return line.append('\n').toString();
    }
}
