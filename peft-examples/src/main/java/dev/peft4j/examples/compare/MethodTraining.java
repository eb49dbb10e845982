package dev.peft4j.examples.compare;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.memory.LiveModelShapes;
import dev.peft4j.core.memory.MemoryAccountant;
import dev.peft4j.core.memory.MemoryBreakdown;
import dev.peft4j.core.memory.OptimizerKind;
import dev.peft4j.core.memory.PlanSettings;
import dev.peft4j.core.memory.WeightFormat;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.runtime.SaveOptions;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.train.EpochMetrics;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingListener;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainingResult;
import dev.peft4j.examples.bench.PeakMemory;
import dev.peft4j.examples.cli.RecipeJson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One method's run inside its child JVM: load the data and the base model, prepare the
 * {@link ForgettingProbe} on the base model (its base embeddings cached on disk; skipped when
 * {@code forgetting_sentences} is 0), apply the method, measure the resident memory at idle
 * (everything loaded, before the first update; the
 * high-water mark reset there, {@link PeakMemory}), train and evaluate, then write
 * {@code <output>/<method>/adapter/} (HF PEFT's two files), {@code predictions.jsonl} and
 * {@code metrics.prom} (the training loop's Micrometer meters in Prometheus text format, tagged
 * {@code method="<alias>"}), measure forgetting (after the memory peak was read, so it is not
 * counted in it) and return the {@link MethodResult}.
 */
final class MethodTraining {

    /** The adapter folder inside a method's folder. */
    static final String ADAPTER_DIR = "adapter";
    /** The Prometheus text file inside a method's folder. */
    static final String METRICS_FILE = "metrics.prom";
    /** Held-out task sentences added to the forgetting probe's disabled-adapter identity check. */
    static final int TASK_SENTENCES = 32;

    private final ChildSpec spec;
    private final PeftRuntime runtime;
    private final PrintStream out;

    MethodTraining(ChildSpec spec, PeftRuntime runtime, PrintStream out) {
        this.spec = spec;
        this.runtime = runtime;
        this.out = out;
    }

    MethodResult run() throws IOException {
        ObjectMapper mapper = runtime.objectMapper();
        MethodPlan plan = spec.method();
        PeftMethodProvider<?> provider = runtime.provider(plan.alias());
        PeftConfig config = runtime.readUserConfig(mapper.writeValueAsString(plan.methodConfig()));
        TrainingRecipe recipe = RecipeJson.read(mapper, plan.recipe());
        Path folder = Path.of(spec.outputDir()).resolve(plan.alias());
        Files.createDirectories(folder);
        CompareData data = CompareData.load(spec.data(), spec.testFraction(), spec.splitSeed(), spec.maxTrainSamples(),
                spec.maxEvalSamples());
        BaseModelSource source = BaseModelSource.load(spec.model());
        Engine.getInstance().setRandomSeed(Math.toIntExact(recipe.seed()));
        try (NDManager manager = NDManager.newBaseManager();
                SentenceTokenizer tokenizer = source.tokenizer(recipe.maxLength())) {
            TransformerModel base = TransformerModel.pretrainedBert(source.weights(), TaskType.SEQ_CLS, data.labelNames().size(), manager);
            long fullModelBytes = FullCheckpointSize.of(base, folder);
            ModelShape shape = LiveModelShapes.of(base);
            ForgettingProbe probe = spec.forgettingSentences() == 0 ? null : ForgettingProbe.builder().setModel(base)
                    .setTokenizer(tokenizer).setSentences(ProbeSentences.load(spec.forgettingSentences()))
                    .optModelName(source.name())
                    .optTaskSentences(data.heldOut().stream().limit(TASK_SENTENCES).map(TrainingExample::text).toList())
                    .prepare();
            try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer)) {
                int longest = longestBatchTokens(tokenizer, data.train(), recipe.batchSize());
                MemoryBreakdown accounted = account(provider, peft.config(), shape, recipe.batchSize(), longest);
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                registry.config().commonTags("method", plan.alias());
                System.gc();
                long idle = PeakMemory.residentBytes();
                PeakMemory.resetHighWaterMark();
                TrainingResult result = Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(recipe)
                        .optProgressBar(false).optMeterRegistry(registry).optListener(new TrainingListener() {
                            @Override
                            public void onStep(StepEvent event) {
                                out.println(ProgressLine.format(event.step() + 1, event.totalSteps()));
                                out.flush();
                            }
                        }).build().train(data.train(), data.heldOut());
                long peak = PeakMemory.highWaterMarkBytes();
                HeldOutPredictions.write(folder.resolve(HeldOutPredictions.FILE), peft, tokenizer, data.heldOut(), recipe.batchSize());
                Path adapter = folder.resolve(ADAPTER_DIR);
                String baseName = source.bundled() != null ? source.bundled().hubName() : source.name();
                AdapterCheckpoint.save(adapter, peft.adapterConfigJson(SaveOptions.defaults().withBaseModel(baseName)),
                        peft.adapterWeights(), Map.of("format", "pt"));
                long adapterBytes = Files.size(adapter.resolve(AdapterCheckpoint.CONFIG_FILE))
                        + Files.size(adapter.resolve(AdapterCheckpoint.WEIGHTS_FILE));
                AtomicFiles.write(folder.resolve(METRICS_FILE), registry.scrape().getBytes(StandardCharsets.UTF_8));
                MethodResult.Forgetting forgetting = probe == null ? null : probe.measure(peft);
                return result(plan, peft, result, idle, peak, accounted, adapterBytes, fullModelBytes, forgetting,
                        mapper.valueToTree(peft.config()));
            }
        }
    }

    private static MethodResult result(MethodPlan plan, PeftModel peft, TrainingResult result, long idle, long peak,
            MemoryBreakdown accounted, long adapterBytes, long fullModelBytes, MethodResult.Forgetting forgetting,
            com.fasterxml.jackson.databind.JsonNode config) {
        EpochMetrics last = result.lastEpoch();
        double wall = result.wallTime().toNanos() / 1e9;
        long trainable = peft.trainableParameterCount();
        long all = peft.totalParameterCount();
        MethodResult.Memory memory = new MethodResult.Memory(idle, peak, peak - idle, accounted.gradientBytes(),
                accounted.optimizerBytes(), accounted.activationBytes(), accounted.trainingBytes(),
                accounted.frozenWeightBytes() + accounted.trainableWeightBytes());
        List<MethodResult.Epoch> epochs = result.epochs().stream().map(epoch -> new MethodResult.Epoch(epoch.epoch() + 1,
                epoch.trainLoss(), epoch.evaluation().loss(), epoch.evaluation().accuracy(), epoch.evaluation().macroF1())).toList();
        return new MethodResult(plan.alias(), plan.peftType(), MethodResult.OK, null, last.evaluation().accuracy(),
                last.evaluation().macroF1(), last.evaluation().loss(), trainable, all, 100.0 * trainable / all, wall,
                result.medianStepNanos() / 1e6, result.tokensSeen() / wall, memory,
                new MethodResult.Checkpoint(adapterBytes, fullModelBytes, (double) adapterBytes / fullModelBytes), forgetting,
                result.logHistory().stream().map(StepEvent::loss).toList(), epochs,
                plan.alias() + "/" + HeldOutPredictions.FILE, plan.alias() + "/" + ADAPTER_DIR, config);
    }

    /**
     * @return the longest padded batch of the training set in tokens: every batch is padded to its
     *     longest sentence, so whatever the shuffle groups, the longest batch is as long as the
     *     longest sentence (truncated at {@code max_length})
     */
    private static int longestBatchTokens(SentenceTokenizer tokenizer, List<TrainingExample> train, int batchSize) {
        int longest = 0;
        for (int start = 0; start < train.size(); start += batchSize) {
            List<String> texts = train.subList(start, Math.min(train.size(), start + batchSize)).stream().map(TrainingExample::text).toList();
            longest = Math.max(longest, tokenizer.encode(texts).sequenceLength());
        }
        return longest;
    }

    private static <C extends PeftConfig> MemoryBreakdown account(PeftMethodProvider<C> provider, PeftConfig config, ModelShape shape,
            int batchSize, int maxLength) {
        return MemoryAccountant.account(provider, provider.configType().cast(config), shape,
                new PlanSettings(WeightFormat.FP32, OptimizerKind.ADAMW, batchSize, maxLength, false));
    }
}
