package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.memory.HfModelShapes;
import dev.peft4j.core.memory.MemoryAccountant;
import dev.peft4j.core.memory.MemoryBreakdown;
import dev.peft4j.core.memory.OptimizerKind;
import dev.peft4j.core.memory.PlanSettings;
import dev.peft4j.core.memory.PositionLimitExceeded;
import dev.peft4j.core.memory.WeightFormat;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.examples.bench.MemoryBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code peft plan --model-config config.json [--methods lora,...] [--r 16] [--dtype bf16]
 * [--optimizer adamw] [--batch-size 1] [--max-length 512] [--recompute]}: full fine-tuning against
 * every installed method (or those named), accounted in closed form on the model an HF
 * {@code config.json} describes ({@link MemoryAccountant}); {@code peft plan --measure} instead runs
 * the measured benchmark on MiniLM ({@link MemoryBenchmark}).
 *
 * <p>Method options are the methods' config keys in kebab-case, as for {@code peft train}; each is
 * given to the methods whose config has it ({@code --r 16} to LoRA). Configs start from the
 * records' defaults (HF PEFT's), so LoRA targets the family's default modules.
 */
@Command(name = "plan", description = "Plan the memory of full fine-tuning and each PEFT method for an HF config.json.",
        footer = {"", "Method options are config keys in kebab-case (e.g. --r 16 --target-modules q_proj,v_proj --num-virtual-tokens 50).",
                "Activations: peft4j's own blocks for BERT, HF transformers' eager PyTorch (Korthikanti et al. 2022) for decoders."})
final class PlanCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--model-config", description = "An HF config.json (bert, gpt2, llama, mistral, qwen2).")
    private Path modelConfig;

    @Option(names = "--methods", split = ",", description = "Methods to plan besides full (default: every installed method).")
    private List<String> methods;

    @Option(names = "--dtype", defaultValue = "bf16", description = "Frozen weights: fp32, fp16, bf16, int8, nf4 (default: ${DEFAULT-VALUE}).")
    private String dtype;

    @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw, sgd, sgd-momentum (default: ${DEFAULT-VALUE}).")
    private String optimizer;

    @Option(names = "--batch-size", defaultValue = "1", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--max-length", description = "Tokens per sequence (default: 512, or max_position_embeddings if smaller).")
    private Integer maxLength;

    @Option(names = "--recompute", description = "Full activation recomputation (gradient checkpointing).")
    private boolean recompute;

    @Option(names = "--measure", description = "Run the measured benchmark on MiniLM instead (each method in its own JVM).")
    private boolean measure;

    @Option(names = "--steps", description = "Updates per method for --measure, >= 1 (default: 8).")
    private Integer steps;

    @Unmatched
    private List<String> flags = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PeftRuntime runtime = PeftRuntime.discover();
        if (measure) {
            return measure(runtime, out);
        }
        if (steps != null) {
            throw new IllegalArgumentException("--steps applies to --measure only; add --measure or drop --steps");
        }
        if (modelConfig == null) {
            throw new IllegalArgumentException("--model-config is required (or --measure)");
        }
        ModelShape shape = HfModelShapes.read(modelConfig);
        int length = maxLength != null ? maxLength : Math.min(512, shape.maxPositionEmbeddings());
        if (length > shape.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--max-length " + length + " exceeds the model's max_position_embeddings "
                    + shape.maxPositionEmbeddings());
        }
        PlanSettings settings = new PlanSettings(WeightFormat.parse(dtype), OptimizerKind.parse(optimizer), batchSize, length, recompute);
        Map<String, PlanTable.Row> rows = new LinkedHashMap<>();
        ObjectMapper mapper = runtime.objectMapper();
        List<PeftMethodProvider<?>> providers = selected(runtime);
        Map<PeftMethodProvider<?>, List<String>> methodArgs = splitFlags(mapper, providers);
        Map<PeftMethodProvider<?>, PeftConfig> configs = new LinkedHashMap<>();
        for (PeftMethodProvider<?> provider : providers) { // a bad value the user passed fails the command
            configs.put(provider, config(runtime, provider, methodArgs.get(provider)));
        }
        for (PeftMethodProvider<?> provider : providers) {
            rows.put(provider.alias(), row(runtime, provider, configs.get(provider), !methodArgs.get(provider).isEmpty(), shape, settings));
        }
        out.printf("%s (%s): %,d parameters, %d layers, hidden %d, %d heads (%d KV), intermediate %d, vocabulary %,d%n",
                modelConfig, shape.family(), shape.parameterCount(), shape.numLayers(), shape.hiddenSize(), shape.numAttentionHeads(),
                shape.numKeyValueHeads(), shape.intermediateSize(), shape.vocabSize());
        out.printf("frozen weights %s, %s, batch %d x %d tokens%s%n", settings.format().json(), settings.optimizer().json(), batchSize, length,
                recompute ? ", full activation recomputation" : "");
        PlanTable.print(new ArrayList<>(rows.values()), out);
        out.flush();
        return 0;
    }

    /**
     * {@code --measure}: the MiniLM recipe, so {@code --model-config} does not apply; one update is
     * enough (the peak includes the first update, none is discarded as warm-up).
     */
    private int measure(PeftRuntime runtime, PrintWriter out) throws Exception {
        if (modelConfig != null) {
            throw new IllegalArgumentException("--measure runs the MiniLM recipe and takes no --model-config; drop one of them");
        }
        List<String> planOnly = Stream.of("--dtype", "--optimizer", "--batch-size", "--max-length", "--recompute")
                .filter(spec.commandLine().getParseResult()::hasMatchedOption).toList();
        if (!planOnly.isEmpty() || !flags.isEmpty()) {
            List<String> ignored = new ArrayList<>(planOnly);
            ignored.addAll(flags);
            throw new IllegalArgumentException("--measure runs the fixed MiniLM recipe (fp32, AdamW, batch 32, max length 64, "
                    + "each method's preset) and takes no " + ignored + "; drop them or drop --measure");
        }
        int updates = steps == null ? 8 : steps;
        if (updates < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + updates);
        }
        List<String> aliases = methods == null ? MemoryBenchmark.CHECKED : methods.stream().map(m -> runtime.provider(m).alias()).toList();
        return MemoryBenchmark.run(aliases, updates, out) ? 0 : 1;
    }

    private PeftConfig config(PeftRuntime runtime, PeftMethodProvider<?> provider, List<String> args) throws Exception {
        ObjectMapper mapper = runtime.objectMapper();
        RecordFlags recordFlags = new RecordFlags(mapper, provider.configType(), "method '" + provider.alias() + "'");
        ObjectNode json = mapper.createObjectNode().put("peft_type", provider.peftType());
        json.setAll(recordFlags.parse(args));
        return runtime.readUserConfig(mapper.writeValueAsString(json));
    }

    /**
     * One method's row. A method that does not fit the architecture (or, unless named with
     * {@code --methods}, whose virtual tokens do not fit the positions) gets an {@code n/a} row; a
     * failure that the method's default config does not have comes from a value the user passed
     * ({@code --target-modules foo_proj}) and fails the command.
     */
    private PlanTable.Row row(PeftRuntime runtime, PeftMethodProvider<?> provider, PeftConfig config, boolean userValues, ModelShape shape,
            PlanSettings settings) throws Exception {
        try {
            return PlanTable.Row.of(account(provider, config, shape, settings));
        } catch (PositionLimitExceeded e) {
            if (named(runtime, provider)) {
                throw new IllegalArgumentException("method '" + provider.alias() + "': " + e.getMessage());
            }
            return PlanTable.Row.notApplicable(provider.alias(), e.getMessage());
        } catch (IllegalArgumentException e) {
            if (userValues && fitsWithDefaults(runtime, provider, shape, settings)) {
                throw new IllegalArgumentException("method '" + provider.alias() + "': " + e.getMessage());
            }
            return PlanTable.Row.notApplicable(provider.alias(), e.getMessage());
        }
    }

    private boolean named(PeftRuntime runtime, PeftMethodProvider<?> provider) {
        return methods != null && methods.stream().anyMatch(m -> runtime.provider(m).equals(provider));
    }

    private boolean fitsWithDefaults(PeftRuntime runtime, PeftMethodProvider<?> provider, ModelShape shape, PlanSettings settings)
            throws Exception {
        try {
            account(provider, config(runtime, provider, List.of()), shape, settings);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private List<PeftMethodProvider<?>> selected(PeftRuntime runtime) {
        List<PeftMethodProvider<?>> out = new ArrayList<>();
        out.add(runtime.provider("full"));
        List<PeftMethodProvider<?>> named = methods == null ? runtime.installed() : methods.stream().<PeftMethodProvider<?>>map(runtime::provider).toList();
        for (PeftMethodProvider<?> provider : named) {
            if (!out.contains(provider)) {
                out.add(provider);
            }
        }
        return out;
    }

    /** Gives each method the flags its config accepts; a flag no method accepts is an error. */
    private Map<PeftMethodProvider<?>, List<String>> splitFlags(ObjectMapper mapper, List<PeftMethodProvider<?>> providers) {
        Map<PeftMethodProvider<?>, List<String>> out = new LinkedHashMap<>();
        Map<PeftMethodProvider<?>, RecordFlags> parsers = new LinkedHashMap<>();
        for (PeftMethodProvider<?> provider : providers) {
            out.put(provider, new ArrayList<>());
            parsers.put(provider, new RecordFlags(mapper, provider.configType(), "method '" + provider.alias() + "'"));
        }
        for (int i = 0; i < flags.size(); i++) {
            String token = flags.get(i);
            String name = token.contains("=") ? token.substring(0, token.indexOf('=')) : token;
            List<String> pair = new ArrayList<>(List.of(token));
            if (!token.contains("=") && i + 1 < flags.size() && !flags.get(i + 1).startsWith("--")) {
                pair.add(flags.get(++i));
            }
            boolean used = false;
            for (Map.Entry<PeftMethodProvider<?>, RecordFlags> entry : parsers.entrySet()) {
                if (entry.getValue().accepts(name)) {
                    out.get(entry.getKey()).addAll(pair);
                    used = true;
                }
            }
            if (!used) {
                throw new IllegalArgumentException("unknown option '" + name + "': no planned method has it (methods: "
                        + providers.stream().map(PeftMethodProvider::alias).toList() + ")");
            }
        }
        return out;
    }

    private static <C extends PeftConfig> MemoryBreakdown account(PeftMethodProvider<C> provider, PeftConfig config, ModelShape shape,
            PlanSettings settings) {
        return MemoryAccountant.account(provider, provider.configType().cast(config), shape, settings);
    }
}
