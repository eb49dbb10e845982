package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.data.DataLocations;
import dev.peft4j.examples.data.DocumentSplit;
import dev.peft4j.examples.data.Fortunes;
import dev.peft4j.examples.data.MobyDick;
import dev.peft4j.examples.lm.BaseModelCache;
import dev.peft4j.examples.lm.CompareLmDefaults;
import dev.peft4j.examples.lm.CompareLmRecipe;
import dev.peft4j.examples.lm.DecoderBase;
import dev.peft4j.examples.lm.LmCompareResults;
import dev.peft4j.examples.lm.LmComparison;
import dev.peft4j.examples.lm.LmMethodPlan;
import dev.peft4j.examples.lm.LmMethodResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peft compare-lm [--methods full,lora,...] [--quick] [--output DIR]}: the decoder run of
 * issue 10. Finds (or pre-trains and caches) the byte-level base decoder on Moby Dick, then adapts
 * it with each method to Debian's fortunes quotations, each in its own child JVM, and reports
 * held-out perplexities (fortunes; Moby Dick with the adapter enabled and disabled), samples before
 * and after, trainable parameters, memory, step time and adapter size: a markdown table,
 * {@code results.json} and {@code report.html}. Exit status 1 when a method failed.
 */
@Command(name = "compare-lm", description = "Adapt the Moby Dick byte-level decoder to fortunes with each method, side by side.",
        footer = {"",
                "The base (see 'peft pretrain-lm --help') is pre-trained once and cached.",
                "Each method: 200 updates of 16 x 128 bytes of fortunes (wisdom, science,",
                "humorists, platitudes; every 10th quotation held out), AdamW with 6%% warm-up;",
                "full lr 1e-3, lora r 8 on q_proj,v_proj lr 3e-3, bottleneck lr 3e-3, prefix 16",
                "virtual tokens lr 1e-2, prompt 16 virtual tokens lr 3e-2.",
                "--quick: the 150-update base and 30 updates of 8 blocks per method."})
final class CompareLmCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--methods", split = ",", description = "The methods to run, in order (default: full,lora,bottleneck,prefix,prompt).")
    private List<String> methods;

    @Option(names = "--quick", description = "A smoke run: the quick base, 30 short updates per method.")
    private boolean quick;

    @Option(names = "--output", description = "Output folder (default: results/compare-lm-<timestamp>); must not hold an earlier run.")
    private Path output;

    @Option(names = "--no-progress", description = "Do not draw the progress bars.")
    private boolean noProgress;

    @Option(names = "--progress", description = "Draw the progress bars even when standard output is not a terminal.")
    private boolean progress;

    @Option(names = "--threads", description = "PyTorch threads here and in the child JVMs (default: 1, fastest for this small model; at most the machine's processors).")
    private int threads = 1;

    @Override
    public Integer call() throws Exception {
        LmThreads.apply(threads);
        Path folder = output != null ? output
                : Path.of("results", "compare-lm-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        OutputFolder.requireNewComparison(folder);
        if (methods != null && (methods.isEmpty() || methods.stream().anyMatch(String::isBlank))) {
            throw new IllegalArgumentException("--methods has an empty entry: '" + String.join(",", methods)
                    + "'; name the methods separated by commas, e.g. --methods lora,prompt");
        }
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        CompareLmRecipe recipe = CompareLmDefaults.recipe(runtime, quick, methods);
        DataLocations locations = DataLocations.fromEnvironment();
        DocumentSplit mobyDick = MobyDick.split(locations);
        DocumentSplit fortunes = Fortunes.split(locations);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DecoderBase base = DecoderBase.ensure(runtime, recipe.pretrain(), mobyDick, BaseModelCache.standard(mapper), mapper, line -> {
            err.println(line);
            err.flush();
        });
        out.printf(Locale.ROOT, "peft compare-lm: base %s (held-out Moby Dick perplexity %.3f per byte), fortunes %,d train / %,d held-out"
                        + " quotations, methods %s; output %s%n",
                base.folder().getFileName(), base.report().heldOutPerplexity(), fortunes.train().size(), fortunes.heldOut().size(),
                recipe.methods().stream().map(LmMethodPlan::alias).collect(Collectors.joining(", ")), folder);
        out.flush();
        JsonNode environment = mapper.valueToTree(RunEnvironment.capture(runtime));
        LmCompareResults results = new LmComparison(runtime, recipe, base, folder, quick, showProgress(), environment, null)
                .run(out, System.err);
        out.printf(Locale.ROOT, "%nwall time %.1f s; results.json in %s%n", results.wallSeconds(), folder);
        out.flush();
        List<LmMethodResult> failed = results.methods().stream().filter(m -> !m.isOk()).toList();
        if (!failed.isEmpty()) {
            err.println("peft: " + failed.size() + " of " + results.methods().size() + " methods failed: " + failed.stream()
                    .map(m -> m.method() + " (" + m.failure() + ")").collect(Collectors.joining("; ")));
            err.flush();
            return 1;
        }
        return 0;
    }

    private boolean showProgress() {
        if (noProgress) {
            return false;
        }
        java.io.Console console = System.console();
        return progress || console != null && console.isTerminal();
    }
}
