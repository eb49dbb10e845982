package dev.peft4j.examples.cli;

import dev.peft4j.examples.compare.CompareMetrics;
import dev.peft4j.examples.compare.CompareReport;
import dev.peft4j.examples.compare.CompareResults;
import dev.peft4j.examples.compare.CompareResultsReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code peft report RESULTS_JSON [--output DIR]}: renders {@code report.html} (charts under
 * {@code charts/}, inlined too) and {@code metrics.prom} again from a saved {@code results.json} of
 * {@code peft compare}, without training anything. Files of the same names in the output folder
 * are replaced atomically.
 */
@Command(name = "report",
        description = "Render report.html (with its charts) and metrics.prom from a saved 'peft compare' results.json.")
final class ReportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS_JSON", description = "The results.json written by 'peft compare'.")
    private Path resultsFile;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Folder to write into (created if missing; default: the folder holding RESULTS_JSON).")
    private Path output;

    @Override
    public Integer call() throws IOException {
        CompareResults results = CompareResultsReader.read(resultsFile);
        Path dir = output != null ? output : resultsFile.toAbsolutePath().getParent();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("cannot write to " + dir + ": it exists and is not a folder");
        }
        Path report;
        Path metrics;
        try {
            report = CompareReport.write(results, dir);
            metrics = CompareMetrics.write(results, dir);
        } catch (IOException e) {
            throw IoErrors.cannotWrite(dir, e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + report);
        out.println("wrote " + metrics);
        out.flush();
        return 0;
    }
}
