package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.bench.ChildJvm;
import dev.peft4j.examples.compare.MethodProcess;
import dev.peft4j.examples.compare.MethodProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a {@link CompareLmRecipe} on a cached base: each method in order in its own child JVM
 * ({@link LmMethodChild} through {@link ChildJvm} and {@link MethodProcess}, as {@code peft compare}
 * runs its methods: pinned heap, fixed malloc settings, progress bar, a line when it ends, a failed
 * method recorded with its reason while the others still run); then {@code results.json}
 * ({@link LmCompareResults}, atomic), the markdown table ({@link LmCompareTable}) and
 * {@code report.html} ({@link LmReport}).
 */
public final class LmComparison {

    /** The results file in the output folder. */
    public static final String RESULTS_FILE = "results.json";

    private final PeftRuntime runtime;
    private final CompareLmRecipe recipe;
    private final DecoderBase base;
    private final Path output;
    private final boolean quick;
    private final boolean progress;
    private final JsonNode environment;
    private final Path dataDir;

    /**
     * @param runtime the installed methods and the snake_case mapper
     * @param recipe what to run
     * @param base the cached base
     * @param output the output folder
     * @param quick whether {@code --quick} shortened the recipe (recorded)
     * @param progress whether to draw progress bars
     * @param environment where it runs, recorded
     * @param dataDir the data folder the children read, or null for their environment's
     */
    public LmComparison(PeftRuntime runtime, CompareLmRecipe recipe, DecoderBase base, Path output, boolean quick, boolean progress,
            JsonNode environment, Path dataDir) {
        this.runtime = runtime;
        this.recipe = recipe;
        this.base = base;
        this.output = output;
        this.quick = quick;
        this.progress = progress;
        this.environment = environment;
        this.dataDir = dataDir;
    }

    /**
     * @param out where the per-method lines and the table go
     * @param bars where progress bars are drawn
     * @return the results, as written
     * @throws IOException if the output folder cannot be written
     * @throws InterruptedException if interrupted (the running child is killed)
     */
    public LmCompareResults run(PrintWriter out, PrintStream bars) throws IOException, InterruptedException {
        ObjectMapper mapper = runtime.objectMapper();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long start = System.nanoTime();
        Files.createDirectories(output);
        List<LmMethodResult> results = new ArrayList<>();
        for (LmMethodPlan plan : recipe.methods()) {
            Path folder = Files.createDirectories(output.resolve(plan.alias()));
            Path specFile = folder.resolve(LmChildSpec.FILE);
            LmChildSpec spec = new LmChildSpec(plan, recipe, base.folder().toString(), output.toAbsolutePath().toString(),
                    dataDir == null ? null : dataDir.toAbsolutePath().toString());
            AtomicFiles.write(specFile, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(spec));
            ChildJvm jvm = ChildJvm.builder(LmMethodChild.class).optHeap(recipe.childHeap())
                    .optTimeout(Duration.ofMinutes(recipe.methodTimeoutMinutes()))
                    .optArgs(List.of(specFile.toAbsolutePath().toString())).build();
            LmMethodResult result;
            try (MethodProgressBar bar = new MethodProgressBar(progress, plan.alias(), bars)) {
                result = MethodProcess.run(plan.alias(), jvm, folder, bar, new MethodProcess.Outcomes<>() {
                    @Override
                    public LmMethodResult parse(String json) throws com.fasterxml.jackson.core.JsonProcessingException {
                        return mapper.readValue(json, LmMethodResult.class);
                    }

                    @Override
                    public LmMethodResult failed(String reason) {
                        return LmMethodResult.failed(plan.alias(), plan.peftType(), reason);
                    }
                });
            } catch (IOException e) {
                result = LmMethodResult.failed(plan.alias(), plan.peftType(), "cannot run the child JVM: " + e.getMessage());
            }
            results.add(result);
            out.println(finishLine(result));
            out.flush();
        }
        LmCompareResults compared = new LmCompareResults(started.toString(), (System.nanoTime() - start) / 1e9, quick, base.report(),
                mapper.valueToTree(recipe), environment, results);
        AtomicFiles.write(output.resolve(RESULTS_FILE), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(compared));
        out.println();
        out.print(LmCompareTable.markdown(compared));
        out.println();
        for (LmMethodResult m : compared.methods()) {
            if (m.isOk()) {
                out.printf(Locale.ROOT, "%s, greedy after: %s%n", m.method(), quoted(m.samplesAfter().prompt() + m.samplesAfter().greedy()));
            }
        }
        Path report = LmReport.write(compared, output);
        out.printf(Locale.ROOT, "%nreport: %s%n", report);
        out.flush();
        return compared;
    }

    /**
     * @param result one method's outcome
     * @return {@code lora: fortunes ppl 4.812 -> 3.101, Moby Dick 3.020 -> 3.114 (disabled 3.020, base intact), trainable 8,192 (1.01%), 41.2 s}
     */
    static String finishLine(LmMethodResult result) {
        if (!result.isOk()) {
            return result.method() + ": FAILED: " + result.failure();
        }
        String disabled = result.mobyDickPerplexityDisabled() == null ? "" : String.format(Locale.ROOT, " (disabled %.3f, %s)",
                result.mobyDickPerplexityDisabled(), result.baseIntact() ? "base intact" : "BASE CHANGED");
        return String.format(Locale.ROOT, "%s: fortunes ppl %.3f -> %.3f, Moby Dick %.3f -> %.3f%s, trainable %,d (%s%%), %.1f s",
                result.method(), result.fortunesPerplexityBefore(), result.fortunesPerplexity(), result.mobyDickPerplexityBase(),
                result.mobyDickPerplexity(), disabled, result.trainableParams(), LmCompareTable.percent(result.trainablePercent()),
                result.wallSeconds());
    }

    /** @return the text on one line, quoted, newlines and tabs as escapes */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\"", "\\\"") + "\"";
    }
}
