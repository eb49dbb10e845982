package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.bench.ChildJvm;
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
 * Runs a {@link CompareRecipe}: each method, in order, in its own child JVM ({@link MethodChild}
 * through {@link ChildJvm}: pinned heap, fixed malloc settings, so its memory is measured alone),
 * with a progress bar while it trains and a line when it ends; then {@code results.json}
 * ({@link CompareResults}, written atomically), the markdown table ({@link CompareTable}),
 * {@code report.html} with its charts ({@link CompareReport}) and the run's Prometheus metrics
 * ({@link CompareMetrics}). A
 * method that fails is recorded with its reason and the others still run.
 *
 * <p>Output folder: {@code <method>/} per method ({@code adapter/}, {@code predictions.jsonl},
 * {@code metrics.prom}, {@code child-spec.json}, {@code child.log}), {@code results.json},
 * {@code report.html}, {@code charts/*.png} and {@code metrics.prom}.
 */
public final class Comparison {

    /** The results file in the output folder. */
    public static final String RESULTS_FILE = "results.json";

    private final PeftRuntime runtime;
    private final CompareRecipe recipe;
    private final Path output;
    private final boolean quick;
    private final boolean progress;
    private final JsonNode environment;

    /**
     * @param runtime the installed methods and the strict snake_case mapper
     * @param recipe what to run
     * @param output the output folder
     * @param quick whether {@code --quick} shortened the recipe (recorded)
     * @param progress whether to draw progress bars on {@code stderr}
     * @param environment where it runs, recorded in {@code results.json}
     */
    public Comparison(PeftRuntime runtime, CompareRecipe recipe, Path output, boolean quick, boolean progress, JsonNode environment) {
        this.runtime = runtime;
        this.recipe = recipe;
        this.output = output;
        this.quick = quick;
        this.progress = progress;
        this.environment = environment;
    }

    /**
     * @param out where the per-method lines and the table go
     * @param bars where progress bars are drawn
     * @return the results, as written to {@code results.json}
     * @throws IOException if the output folder cannot be written
     * @throws InterruptedException if interrupted (the running child is killed)
     */
    public CompareResults run(PrintWriter out, PrintStream bars) throws IOException, InterruptedException {
        ObjectMapper mapper = runtime.objectMapper();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long start = System.nanoTime();
        Files.createDirectories(output);
        List<MethodResult> results = new ArrayList<>();
        for (MethodPlan plan : recipe.methods()) {
            Path folder = output.resolve(plan.alias());
            Files.createDirectories(folder);
            Path specFile = folder.resolve(ChildSpec.FILE);
            AtomicFiles.write(specFile, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(ChildSpec.of(recipe, plan, output)));
            ChildJvm jvm = ChildJvm.builder(MethodChild.class).optHeap(recipe.childHeap())
                    .optTimeout(Duration.ofMinutes(recipe.methodTimeoutMinutes()))
                    .optArgs(List.of(specFile.toAbsolutePath().toString())).build();
            MethodResult result;
            try (MethodProgressBar bar = new MethodProgressBar(progress, plan.alias(), bars)) {
                result = MethodProcess.run(plan, jvm, folder, mapper, bar);
            } catch (IOException e) {
                result = MethodResult.failed(plan.alias(), plan.peftType(), "cannot run the child JVM: " + e.getMessage());
            }
            results.add(result);
            out.println(finishLine(result));
            out.flush();
        }
        CompareResults compared = new CompareResults(started.toString(), (System.nanoTime() - start) / 1e9, quick, recipe.json(),
                environment, results);
        AtomicFiles.write(output.resolve(RESULTS_FILE), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(compared));
        out.println();
        out.print(CompareTable.markdown(compared));
        out.flush();
        Path report = CompareReport.write(compared, output);
        Path metrics = CompareMetrics.write(compared, output);
        out.printf(Locale.ROOT, "%nreport: %s (charts inlined; PNGs in %s), metrics: %s%n", report,
                output.resolve(CompareReport.CHARTS_DIR), metrics);
        out.flush();
        return compared;
    }

    /**
     * @param result one method's outcome
     * @return {@code lora: accuracy 0.7600, macro-F1 0.7598, trainable 74,498 (0.33%), 75.3 s} or
     *     {@code prefix: FAILED: <reason>}
     */
    static String finishLine(MethodResult result) {
        if (!result.isOk()) {
            return result.method() + ": FAILED: " + result.failure();
        }
        return String.format(Locale.ROOT, "%s: accuracy %.4f, macro-F1 %.4f, trainable %,d (%s%%), %.1f s", result.method(),
                result.accuracy(), result.macroF1(), result.trainableParams(), CompareTable.percent(result.trainablePercent()),
                result.wallSeconds());
    }
}
