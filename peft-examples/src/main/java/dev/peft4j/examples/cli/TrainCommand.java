package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.train.TrainingRecipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
@Command(name = "train", description = "Fine-tune MiniLM on the Rotten Tomatoes sentences with one PEFT method.",
        footer = {"", "Method options are the config's keys in kebab-case (e.g. --r 16 --lora-alpha 32 --target-modules query,value).",
                "Recipe options: --lr --epochs --batch-size --max-length --seed --warmup-ratio --weight-decay --max-grad-norm",
                "--gradient-accumulation-steps."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--method", required = true, description = "The method: an alias (lora, full, ...) or peft_type. See 'peft methods'.")
    private String method;

    @Option(names = "--config", description = "A JSON file with method keys (HF names) and recipe keys.")
    private Path configFile;

    @Option(names = "--output", description = "Output folder (default: results/<alias>-<timestamp>).")
    private Path output;

    @Option(names = "--max-train-samples", description = "Train on at most this many sentences (default: all).")
    private Integer maxTrainSamples;

    @Option(names = "--max-eval-samples", description = "Evaluate on at most this many sentences (default: all).")
    private Integer maxEvalSamples;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    private boolean noProgress;

    @Unmatched
    private List<String> flags = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PeftRuntime runtime = PeftRuntime.discover();
        PeftMethodProvider<?> provider = runtime.provider(method);
        ObjectMapper mapper = runtime.objectMapper();
        RecordFlags methodFlags = new RecordFlags(mapper, provider.configType(), "method '" + provider.alias() + "'");
        RecordFlags recipeFlags = new RecordFlags(mapper, TrainingRecipe.class, "the training recipe");

        ObjectNode methodJson = TrainPreset.method(mapper, provider.peftType());
        ObjectNode recipeJson = TrainPreset.recipe(mapper, provider);
        if (configFile != null) {
            mergeConfigFile(mapper, provider, recipeFlags, methodJson, recipeJson);
        }
        List<String> recipeArgs = new ArrayList<>();
        List<String> methodArgs = new ArrayList<>();
        splitFlags(recipeFlags, recipeArgs, methodArgs);
        recipeJson.setAll(recipeFlags.parse(recipeArgs));
        methodJson.setAll(methodFlags.parse(methodArgs));

        PeftConfig config = runtime.readUserConfig(mapper.writeValueAsString(methodJson));
        TrainingRecipe recipe = RecipeJson.read(mapper, recipeJson);
        Path folder = output != null ? output : Path.of("results", provider.alias() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainingRun run = new TrainingRun(runtime, config, recipe, folder, maxTrainSamples, maxEvalSamples, !noProgress);
        run.execute(spec.commandLine().getOut());
        return 0;
    }

    private void mergeConfigFile(ObjectMapper mapper, PeftMethodProvider<?> provider, RecordFlags recipeFlags,
            ObjectNode methodJson, ObjectNode recipeJson) throws IOException {
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
