package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.train.TrainerState;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.checkpoint.TrainingCheckpoint;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointReader;
import dev.peft4j.examples.data.PatternDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code peft train --method lora [--config file.json] [method flags] [recipe flags] [--output DIR]}:
 * fine-tunes MiniLM on the Rotten Tomatoes sentences with one method and writes the adapter and
 * {@code results.json}.
 *
 * <p>Precedence, lowest first: the config records' defaults (HF's) &lt; {@link TrainPreset} &lt;
 * the {@code --config} file (method keys and recipe keys in one JSON object) &lt; flags. Method
 * flags are generated from the method's config record ({@code --lora-alpha}), recipe flags from
 * {@link TrainingRecipe} ({@code --batch-size}).
 */
@Command(name = "train", description = "Fine-tune MiniLM on the Rotten Tomatoes sentences (or --dataset) with one PEFT method.",
        footer = {"", "Method options are the config's keys in kebab-case (e.g. --r 16 --lora-alpha 32 --target-modules query,value).",
                "--target-modules takes names (comma-separated, exact or suffix match), all-linear, or a regex full-matched",
                "against module paths when the value holds regex characters (*+?()[]{}|^$\\), e.g. '.*\\.(query|value)'.",
                "Checkpoints: --save-steps N writes OUTPUT/checkpoints/step-N every N updates; --resume DIR continues exactly."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--method", description = "The method: an alias (lora, full, ...) or peft_type. See 'peft methods'. "
            + "Required unless --resume is given.")
    private String method;

    @Option(names = "--config", description = "A JSON file with method keys (HF names) and recipe keys.")
    private Path configFile;

    @Option(names = "--dataset", description = "The labelled corpus: polarity (Rotten Tomatoes sentences, the default), "
            + "uncertainty (CoNLL-2010 certain/uncertain sentences) or spam (Apache list mails); stratified 80/20 split, seed 0.")
    private String dataset;

    @Option(names = "--output", description = "Output folder (default: results/<alias>-<timestamp>).")
    private Path output;

    @Option(names = "--max-train-samples", description = "Train on at most this many sentences (default: all).")
    private Integer maxTrainSamples;

    @Option(names = "--max-eval-samples", description = "Evaluate on at most this many sentences (default: all).")
    private Integer maxEvalSamples;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    private boolean noProgress;

    @Option(names = "--progress", description = "Draw the progress bar even when standard output is not a terminal "
            + "(by default it is drawn only on a terminal, so a redirected log does not collect every frame).")
    private boolean progress;

    @Option(names = "--save-steps", description = "Write a training checkpoint (OUTPUT/checkpoints/step-N) every N updates "
            + "and at the end (default: none; a resumed run keeps the checkpoint's).")
    private Integer saveSteps;

    @Option(names = "--save-total-limit", description = "Keep only the newest K step folders (default 0: keep all).")
    private Integer saveTotalLimit;

    @Option(names = "--resume", description = "Continue the run whose checkpoint is in DIR (a run's output folder, its "
            + "checkpoints folder, or one step-N folder), with the checkpoint's config; writes into the run's folder "
            + "unless --output is given.")
    private Path resume;

    @Unmatched
    private List<String> flags = new ArrayList<>();

    private static boolean isSameFolder(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    @Override
    public Integer call() throws Exception {
        if (output != null) {
            if (resume == null) {
                OutputFolder.requireNewRun(output);
            } else {
                OutputFolder.requireWritable(output);
            }
        }
        if (resume != null && Files.exists(resume) && !Files.isDirectory(resume)) {
            throw new IllegalArgumentException("--resume " + resume + " is a file, not a folder; give a run's output folder, "
                    + "its checkpoints folder, or one step-N folder");
        }
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        TrainingCheckpoint checkpoint = resume == null ? null : TrainingCheckpointReader.load(resume);
        if (checkpoint != null && output != null && !isSameFolder(output, checkpoint.runFolder())) {
            OutputFolder.requireNewRun(output);
        }
        if (checkpoint != null) {
            TrainerState state = checkpoint.snapshot().state();
            if (state.globalStep() >= state.totalSteps()) {
                spec.commandLine().getOut().println("nothing to do: " + checkpoint.runFolder() + " already finished all "
                        + state.totalSteps() + " updates");
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
        RunSpec saved = checkpoint == null ? null : RunSpec.read(mapper, checkpoint);
        if (method == null && saved == null) {
            throw new IllegalArgumentException("--method is required (or --resume DIR to continue a run)");
        }
        if (saved != null) {
            saved.requireConsistent(runtime, checkpoint);
        }
        PeftMethodProvider<?> provider = runtime.provider(method != null ? method : saved.peftType());
        if (saved != null && !provider.peftType().equals(saved.peftType())) {
            throw new IllegalArgumentException("cannot resume from " + checkpoint.folder() + ": it trains " + saved.peftType()
                    + ", not --method " + method + " (" + provider.peftType() + ")");
        }
        RecordFlags methodFlags = new RecordFlags(mapper, provider.configType(), "method '" + provider.alias() + "'");
        RecordFlags recipeFlags = new RecordFlags(mapper, TrainingRecipe.class, "the training recipe");

        ObjectNode methodJson = saved != null ? saved.methodConfig().deepCopy() : TrainPreset.method(mapper, provider.peftType());
        ObjectNode recipeJson = saved != null ? saved.recipe().deepCopy() : TrainPreset.recipe(mapper, provider);
        if (configFile != null) {
            mergeConfigFile(mapper, provider, recipeFlags, methodFlags, methodJson, recipeJson);
        }
        List<String> recipeArgs = new ArrayList<>();
        List<String> methodArgs = new ArrayList<>();
        splitFlags(recipeFlags, recipeArgs, methodArgs);
        recipeJson.setAll(recipeFlags.parse(recipeArgs));
        methodJson.setAll(methodFlags.parse(methodArgs));

        PeftConfig config = runtime.readUserConfig(mapper.writeValueAsString(methodJson));
        TrainingRecipe recipe = RecipeJson.read(mapper, recipeJson);
        Integer trainLimit = maxTrainSamples;
        Integer evalLimit = maxEvalSamples;
        if (saved != null) {
            ResumeCheck.requireUnchanged(runtime, checkpoint.folder(), saved, config, recipe, maxTrainSamples, maxEvalSamples);
            trainLimit = saved.maxTrainSamples();
            evalLimit = saved.maxEvalSamples();
        }
        Integer steps = saveSteps != null ? saveSteps : saved != null ? Integer.valueOf(saved.saveSteps()) : null;
        int limit = saveTotalLimit != null ? saveTotalLimit : saved != null ? saved.saveTotalLimit() : 0;
        requireCheckpointOptions(steps, limit);
        Path folder = output != null ? output : saved != null ? checkpoint.runFolder() : Path.of("results", provider.alias() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        RunSpec runSpec = steps == null ? null : new RunSpec(provider.alias(), provider.peftType(), methodJson, recipeJson,
                trainLimit, evalLimit, TrainingRun.BASE_MODEL.modelName(), steps, limit);
        TrainingRun run = new TrainingRun(runtime, config, recipe, folder, trainLimit, evalLimit, showProgress(),
                new CheckpointPlan(runSpec, checkpoint), dataset(mapper, checkpoint));
        run.execute(spec.commandLine().getOut());
        return 0;
    }

    /** The {@code --dataset}; a resumed run keeps the one its checkpoint's adapter config records. */
    private PatternDataset dataset(ObjectMapper mapper, TrainingCheckpoint checkpoint) throws IOException {
        PatternDataset chosen = dataset == null ? null : PatternDataset.byName(dataset);
        if (checkpoint == null) {
            return chosen == null ? PatternDataset.POLARITY : chosen;
        }
        Path configFile = checkpoint.folder().resolve(dev.peft4j.core.io.AdapterCheckpoint.CONFIG_FILE);
        PatternDataset saved = AdapterLabels.dataset(mapper, Files.readString(configFile));
        if (chosen != null && chosen != saved) {
            throw new IllegalArgumentException("cannot resume from " + checkpoint.folder() + ": it trains on dataset " + saved.cliName()
                    + ", the command line says " + chosen.cliName() + "; a resumed run keeps the checkpoint's config");
        }
        return saved;
    }

    private boolean showProgress() {
        if (noProgress) {
            return false;
        }
        java.io.Console console = System.console();
        return progress || console != null && console.isTerminal();
    }

    private static void requireCheckpointOptions(Integer steps, int limit) {
        if (steps != null && steps <= 0) {
            throw new IllegalArgumentException("--save-steps must be > 0, got " + steps);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--save-total-limit must be >= 0 (0 keeps all), got " + limit);
        }
    }

    private void mergeConfigFile(ObjectMapper mapper, PeftMethodProvider<?> provider, RecordFlags recipeFlags,
            RecordFlags methodFlags, ObjectNode methodJson, ObjectNode recipeJson) throws IOException {
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("config file not found: " + configFile);
        }
        JsonNode file = mapper.readTree(configFile.toFile());
        if (file == null || !file.isObject()) {
            throw new IllegalArgumentException(configFile + ": a config file must hold one JSON object");
        }
        JsonNode type = file.get("peft_type");
        if (type != null && !provider.peftType().equals(type.asText())) {
            throw new IllegalArgumentException(configFile + ": peft_type '" + type.asText() + "' does not match --method "
                    + method + " (" + provider.peftType() + ")");
        }
        for (Map.Entry<String, JsonNode> field : file.properties()) {
            String key = field.getKey();
            if (!key.equals("peft_type") && !recipeFlags.keys().contains(key) && !methodFlags.keys().contains(key)) {
                TreeSet<String> known = new TreeSet<>(methodFlags.keys());
                known.addAll(recipeFlags.keys());
                throw new IllegalArgumentException(configFile + ": unknown key '" + key + "' for " + provider.peftType()
                        + " training; known: " + known);
            }
            boolean recipeKey = recipeFlags.accepts(RecordFlags.optionName(field.getKey()));
            (recipeKey ? recipeJson : methodJson).set(field.getKey(), field.getValue());
        }
    }

    /** Sends each {@code --name value} (or {@code --name=value}) to the recipe or the method. */
    private void splitFlags(RecordFlags recipeFlags, List<String> recipeArgs, List<String> methodArgs) {
        for (int i = 0; i < flags.size(); i++) {
            String token = flags.get(i);
            String name = token.contains("=") ? token.substring(0, token.indexOf('=')) : token;
            List<String> target = recipeFlags.accepts(name) ? recipeArgs : methodArgs;
            target.add(token);
            if (!token.contains("=") && i + 1 < flags.size() && !flags.get(i + 1).startsWith("--")) {
                target.add(flags.get(++i));
            }
        }
    }
}
