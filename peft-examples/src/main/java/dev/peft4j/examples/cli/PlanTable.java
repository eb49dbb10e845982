package dev.peft4j.examples.cli;

import dev.peft4j.core.memory.MemoryBreakdown;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code peft plan} prints: per method, parameters, trainable share, the memory
 * breakdown in GiB with GB beside the total, the adapter checkpoint, and which cards it fits.
 * A method fits a card when its accounted total is at most the card's size in GB (10^9 bytes);
 * the CUDA context and allocator slack are not counted.
 */
final class PlanTable {

    /** Card sizes in GB. */
    static final List<Integer> CARDS_GB = List.of(24, 48, 80, 141);

    private static final double GIB = 1L << 30;

    private PlanTable() {}

    /**
     * One method's line.
     *
     * @param alias the method
     * @param breakdown the accounted memory, or {@code null} when the method does not apply
     * @param reason why it does not apply, or {@code null}
     */
    record Row(String alias, MemoryBreakdown breakdown, String reason) {
        static Row of(MemoryBreakdown breakdown) {
            return new Row(breakdown.method(), breakdown, null);
        }

        static Row notApplicable(String alias, String reason) {
            return new Row(alias, null, reason);
        }
    }

    static void print(List<Row> rows, PrintWriter out) {
        out.printf(Locale.ROOT, "%-11s %15s %25s %9s %9s %9s %9s %9s %20s %10s  %s%n", "method", "parameters", "trainable (%)",
                "frozen", "trainable", "grads", "optimizer", "activ.", "total GiB (GB)", "adapter", "fits 24/48/80/141 GB");
        for (Row row : rows) {
            if (row.breakdown() == null) {
                out.printf(Locale.ROOT, "%-11s n/a: %s%n", row.alias(), row.reason());
                continue;
            }
            MemoryBreakdown b = row.breakdown();
            StringBuilder fits = new StringBuilder();
            for (int card : CARDS_GB) {
                fits.append(b.totalBytes() <= card * 1e9 ? " yes" : "  no");
            }
            out.printf(Locale.ROOT, "%-11s %,15d %,15d (%6.2f%%) %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f (%7.2f) %10s %s%n", b.method(),
                    b.totalParameters(), b.trainableParameters(), b.trainablePercent(), b.frozenWeightBytes() / GIB,
                    b.trainableWeightBytes() / GIB, b.gradientBytes() / GIB, b.optimizerBytes() / GIB, b.activationBytes() / GIB,
                    b.totalBytes() / GIB, b.totalBytes() / 1e9, size(b.checkpointBytes()), fits);
        }
        out.println("GiB = 2^30 bytes, GB = 10^9; adapter = checkpoint tensors in fp32; optimizer includes the fp32 master copy"
                + " under mixed precision");
    }

    private static String size(long bytes) {
        if (bytes >= 1e9) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f KB", bytes / 1e3);
    }
}
