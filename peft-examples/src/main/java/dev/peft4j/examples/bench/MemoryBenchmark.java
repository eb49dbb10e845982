package dev.peft4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The measured side of memory accounting: for each method, a {@link MemoryProbe} in its own
 * {@link ChildJvm} trains the MiniLM recipe and reports its peak resident memory over idle; this
 * class prints it beside the accountant's increase (gradients + optimizer state + activations, the
 * weights being resident at idle) per component, and checks that the two agree within
 * {@link #TOLERANCE} for the methods in {@link #CHECKED}.
 *
 * <p>Run {@code peft plan --measure [--methods full,lora] [--steps 8]}, or this class's {@code main}.
 */
public final class MemoryBenchmark {

    /** The largest allowed relative difference between accounted and measured increase. */
    public static final double TOLERANCE = 0.15;
    /** The methods whose agreement is asserted (the acceptance criterion). */
    public static final List<String> CHECKED = List.of("full", "lora");

    private static final double MIB = 1 << 20;

    private MemoryBenchmark() {}

    private static String pair(long accounted, long measured) {
        return String.format(Locale.ROOT, "%7.1f / %7.1f M", accounted / MIB, measured / MIB);
    }

    /**
     * @param methods method aliases, each measured in its own child JVM
     * @param steps training updates per child
     * @param out where the table goes
     * @return whether every checked method agreed within the tolerance
     * @throws IOException if a child fails
     * @throws InterruptedException if interrupted
     */
    public static boolean run(List<String> methods, int steps, PrintWriter out) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "MiniLM recipe (batch 32, max length 64, fp32, AdamW), %d updates per method, each in its own JVM%n", steps);
        out.printf(Locale.ROOT, "%-11s %10s %21s %21s %21s %21s %9s %11s %9s %7s%n", "method", "trainable", "gradients acc/meas",
                "optimizer acc/meas", "activations acc/meas", "increase acc/meas", "idle RSS", "gauge max", "longest", "diff");
        boolean ok = true;
        List<String> failures = new ArrayList<>();
        for (String method : methods) {
            ChildJvm.Result result = ChildJvm.builder(MemoryProbe.class).optHeap("1g").optTimeout(Duration.ofMinutes(15))
                    .optArgs(List.of("--method", method, "--steps", Integer.toString(steps))).build().run();
            JsonNode r = result.report();
            JsonNode a = r.get("accounted");
            long accounted = a.get("gradientBytes").asLong() + a.get("optimizerBytes").asLong() + a.get("activationBytes").asLong();
            long measured = r.get("peak_rss_bytes").asLong() - r.get("idle_rss_bytes").asLong();
            double diff = (double) (accounted - measured) / measured;
            long optimizer = r.get("optimizer_rss_bytes").asLong();
            long betweenSteps = r.get("between_steps_rss_bytes").asLong();
            out.printf(Locale.ROOT, "%-11s %10d %21s %21s %21s %21s %7.1f M %9.1f M %9d %+6.1f%%%n", r.get("method").asText(),
                    r.get("trainable_parameters").asLong(), pair(a.get("gradientBytes").asLong(), betweenSteps - optimizer),
                    pair(a.get("optimizerBytes").asLong(), optimizer),
                    pair(a.get("activationBytes").asLong(), r.get("peak_rss_bytes").asLong() - r.get("idle_rss_bytes").asLong() - betweenSteps),
                    pair(accounted, measured), r.get("idle_rss_bytes").asLong() / MIB,
                    (r.get("gauge_rss_max_bytes").asLong() - r.get("idle_rss_bytes").asLong()) / MIB,
                    r.get("longest_batch_tokens").asInt(), 100 * diff);
            out.flush();
            if (CHECKED.contains(method) && Math.abs(diff) > TOLERANCE) {
                ok = false;
                failures.add(method);
            }
        }
        out.println("M = MiB. Measured: optimizer = RSS once AdamW's state exists - idle; gradients = RSS between the first two"
                + " steps - that; activations = peak RSS (VmHWM, reset at idle) - RSS between steps; increase = peak - idle RSS;"
                + " gauge max = the largest peft.memory.rss.bytes (Micrometer) read after an update - idle RSS.");
        out.println("Accounted increase = gradients + optimizer state + activations (the weights are resident at idle).");
        out.println(verdict(methods, failures));
        out.flush();
        return ok;
    }

    /**
     * The agreement line, only about the {@link #CHECKED} methods that were measured.
     *
     * @param measured the aliases measured
     * @param failures the checked aliases that differed by more than the tolerance
     * @return {@code accounted and measured agree within 15% for [lora]; not measured: [full]}
     */
    static String verdict(List<String> measured, List<String> failures) {
        List<String> checked = CHECKED.stream().filter(measured::contains).toList();
        List<String> missing = CHECKED.stream().filter(m -> !measured.contains(m)).toList();
        if (checked.isEmpty()) {
            return "no agreement verdict: the check covers " + CHECKED + ", none of them was measured";
        }
        String line = failures.isEmpty() ? "accounted and measured agree within 15% for " + checked
                : "accounted and measured differ by more than 15% for " + failures;
        return missing.isEmpty() ? line : line + "; not measured: " + missing;
    }

    /**
     * @param args method aliases (default {@code full lora})
     * @throws Exception if a child fails; exits with status 1 when the check fails
     */
    public static void main(String[] args) throws Exception {
        List<String> methods = args.length == 0 ? CHECKED : List.of(args);
        boolean ok = run(methods, 8, new PrintWriter(System.out, true));
        System.exit(ok ? 0 : 1);
    }
}
