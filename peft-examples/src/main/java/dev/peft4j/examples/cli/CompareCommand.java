package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.examples.compare.BaseModelSource;
import dev.peft4j.examples.compare.CompareData;
import dev.peft4j.examples.compare.CompareRecipe;
import dev.peft4j.examples.compare.CompareResults;
import dev.peft4j.examples.compare.Comparison;
import dev.peft4j.examples.compare.MethodPlan;
import dev.peft4j.examples.compare.MethodResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code peft compare [--config compare.json] [--methods full,lora,...] [--quick] [--output DIR] [recipe flags]}:
 * trains and evaluates several PEFT methods side by side on one recipe ({@link CompareRecipe}),
 * each in its own child JVM, and writes a markdown table (stdout), {@code results.json} and each
 * method's adapter, predictions and Prometheus metrics into the output folder.
 *
 * <p>Exit status: 0 when every method finished; 1 when any failed (the table and
 * {@code results.json} still list every method, the failed ones with their reason, and standard
 * error gets {@code peft: 1 of 5 methods failed: prefix (<reason>)}), or on a user error before
 * anything ran.
 */
@Command(name = "compare", description = "Train and evaluate PEFT methods side by side on one recipe, each in its own JVM.",
        footer = {"",
                "Default recipe: all-MiniLM-L6-v2 on the Rotten Tomatoes sentences (3,200 train /",
                "800 held-out, stratified, seed 0), batch 32, max length 64, 1 epoch; methods",
                "full (lr 1e-4), lora (r 8, query+value, lr 1e-3), bottleneck (houlsby, lr 1e-3),",
                "prefix (lr 1e-2), prompt (lr 3e-2).",
                "",
                "--config takes one JSON object (snake_case): model, data, test_fraction,",
                "split_seed, max_train_samples, max_eval_samples, forgetting_sentences,",
                "method_timeout_minutes, child_heap, recipe keys (lr, epochs, batch_size, ...)",
                "and methods: {\"lora\": {\"r\": 16, \"lr\": 1e-3}, ...} (method keys are HF's",
                "config keys; every method named there is validated, run or not).",
                "",
                "Recipe flags (--lr, --epochs, --batch-size, --max-length, --seed,",
                "--warmup-ratio, --weight-decay, --max-grad-norm, --gradient-accumulation-steps)",
                "override the recipe for every method."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", description = "A JSON file with the comparison recipe (see below).")
    private Path configFile;

    @Option(names = "--methods", split = ",", description = "The methods to run, in order (aliases or peft_type; "
            + "default: the config file's methods, else full,lora,bottleneck,prefix,prompt).")
    private List<String> methods;

    @Option(names = "--quick", description = "A short smoke run: 256 train / 200 held-out sentences, 200 forgetting sentences.")
    private boolean quick;

    @Option(names = "--output", description = "Output folder (default: results/compare-<timestamp>); must not hold an earlier run.")
    private Path output;

    @Option(names = "--no-progress", description = "Do not draw the progress bars.")
    private boolean noProgress;

    @Option(names = "--progress", description = "Draw the progress bars even when standard output is not a terminal.")
    private boolean progress;

    @Unmatched
    private List<String> flags = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path folder = output != null ? output
                : Path.of("results", "compare-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        OutputFolder.requireNewComparison(folder);
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        ObjectNode file = configFile == null ? null : readConfig(mapper);
        RecordFlags recipeOptions = new RecordFlags(mapper, TrainingRecipe.class, "the training recipe");
        for (int i = 0; i < flags.size(); i++) {
            String flag = flags.get(i);
            String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag;
            if (!name.startsWith("-")) {
                throw new IllegalArgumentException("unexpected argument '" + flag + "'; peft compare takes no positional arguments");
            }
            if (!recipeOptions.accepts(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "'; peft compare takes --config, --methods, --quick, "
                        + "--output, --progress, --no-progress and the recipe options " + recipeOptions.optionNames());
            }
            if (!flag.contains("=")) {
                i++;
            }
        }
        if (methods != null && (methods.isEmpty() || methods.stream().anyMatch(String::isBlank))) {
            throw new IllegalArgumentException("--methods has an empty entry: '" + String.join(",", methods)
                    + "'; name the methods separated by commas, e.g. --methods lora,prompt");
        }
        ObjectNode recipeFlags = recipeOptions.parse(flags);
        CompareRecipe recipe = CompareRecipe.read(runtime, quick, file,
                configFile == null ? "compare recipe" : configFile.toString(), methods, recipeFlags);
        BaseModelSource source = BaseModelSource.load(recipe.model());
        source.requireMaxLength(recipe.json().get("max_length").asInt());
        for (MethodPlan plan : recipe.methods()) {
            try {
                source.requireMaxLength(plan.recipe().get("max_length").asInt());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("methods." + plan.alias() + ": " + e.getMessage(), e);
            }
        }
        CompareData data = CompareData.load(recipe);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "peft compare: %s on %s, %d train / %d held-out sentences, methods %s; output %s%n",
                recipe.model(), recipe.data().isTextual() ? recipe.data().asText() : recipe.data().get("file").asText(),
                data.train().size(), data.heldOut().size(),
                recipe.methods().stream().map(MethodPlan::alias).collect(Collectors.joining(", ")), folder);
        out.flush();
        JsonNode environment = mapper.valueToTree(RunEnvironment.capture(runtime));
        CompareResults results = new Comparison(runtime, recipe, folder, quick, showProgress(), environment).run(out, System.err);
        out.printf(Locale.ROOT, "%nwall time %.1f s; results.json in %s%n", results.wallSeconds(), folder);
        out.flush();
        List<MethodResult> failed = results.methods().stream().filter(m -> !m.isOk()).toList();
        if (!failed.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("peft: " + failed.size() + " of " + results.methods().size() + " methods failed: " + failed.stream()
                    .map(m -> m.method() + " (" + m.failure() + ")").collect(Collectors.joining("; ")));
            err.flush();
            return 1;
        }
        return 0;
    }

    private ObjectNode readConfig(ObjectMapper mapper) throws IOException {
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("config file not found: " + configFile);
        }
        JsonNode node;
        try {
            node = mapper.readTree(configFile.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(configFile + " is not valid JSON: " + JsonSyntax.reason(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(configFile + ": a compare recipe must hold one JSON object");
        }
        return (ObjectNode) node;
    }

    private boolean showProgress() {
        if (noProgress) {
            return false;
        }
        java.io.Console console = System.console();
        return progress || console != null && console.isTerminal();
    }
}
