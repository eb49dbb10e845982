package dev.peft4j.examples.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.runtime.SaveOptions;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.EpochMetrics;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainerState;
import dev.peft4j.core.train.TrainingResult;
import dev.peft4j.core.train.checkpoint.CheckpointLayout;
import dev.peft4j.core.train.checkpoint.TrainingCheckpoint;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointWriter;
import dev.peft4j.examples.data.DatasetSplit;
import dev.peft4j.examples.data.LabeledText;
import dev.peft4j.examples.data.PatternDataset;
import dev.peft4j.examples.data.StratifiedSplit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code peft train} run: the split of a {@link PatternDataset} (Rotten Tomatoes by default), MiniLM with a fresh classification head,
 * the method applied, training and held-out evaluation, then the adapter and {@code results.json}
 * written into the output folder; training checkpoints go to {@code <output>/checkpoints} when
 * {@link CheckpointPlan#save()} is set, and a run continues from {@link CheckpointPlan#resumeFrom()}.
 */
final class TrainingRun {

    /** The held-out share of the stratified split (seed 0): 800 of 4,000 sentences. */
    static final double TEST_FRACTION = 0.2;
    static final long SPLIT_SEED = 0;
    static final BundledModel BASE_MODEL = BundledModel.ALL_MINILM_L6_V2;

    private final PeftRuntime runtime;
    private final PeftConfig config;
    private final TrainingRecipe recipe;
    private final Path output;
    private final Integer maxTrainSamples;
    private final Integer maxEvalSamples;
    private final boolean progressBar;
    private final CheckpointPlan checkpoints;
    private final PatternDataset dataset;

    TrainingRun(PeftRuntime runtime, PeftConfig config, TrainingRecipe recipe, Path output,
            Integer maxTrainSamples, Integer maxEvalSamples, boolean progressBar, CheckpointPlan checkpoints) {
        this(runtime, config, recipe, output, maxTrainSamples, maxEvalSamples, progressBar, checkpoints, PatternDataset.POLARITY);
    }

    /** As the other constructor, training on {@code dataset} (its label names go into the adapter's config). */
    TrainingRun(PeftRuntime runtime, PeftConfig config, TrainingRecipe recipe, Path output,
            Integer maxTrainSamples, Integer maxEvalSamples, boolean progressBar, CheckpointPlan checkpoints,
            PatternDataset dataset) {
        this.dataset = dataset;
        this.runtime = runtime;
        this.config = config;
        this.recipe = recipe;
        this.output = output;
        this.maxTrainSamples = maxTrainSamples;
        this.maxEvalSamples = maxEvalSamples;
        this.progressBar = progressBar;
        this.checkpoints = checkpoints;
    }

    TrainingReport execute(PrintWriter out) throws IOException {
        DatasetSplit split = StratifiedSplit.split(dataset.load(), TEST_FRACTION, SPLIT_SEED);
        List<TrainingExample> train = examples(split.train(), maxTrainSamples);
        List<TrainingExample> test = examples(split.test(), maxEvalSamples);
        long loadStart = System.nanoTime();
        var imported = BASE_MODEL.importWeights();
        MaxLength.require(BASE_MODEL, imported, recipe.maxLength());
        Engine.getInstance().setRandomSeed(Math.toIntExact(recipe.seed()));
        try (NDManager manager = NDManager.newBaseManager();
                SentenceTokenizer tokenizer = BASE_MODEL.tokenizer(recipe.maxLength());
                PeftModel peft = runtime.getPeftModel(
                        TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, dataset.labelNames().size(), manager),
                        config, ConfigOrigin.USER, tokenizer)) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            out.printf(Locale.ROOT, "%s on %s: %d train / %d held-out sentences%n",
                    runtime.registry().byConfigType(config.getClass()).alias(), BASE_MODEL.modelName()
                            + (dataset == PatternDataset.POLARITY ? "" : " (" + dataset.cliName() + ")"), train.size(), test.size());
            out.println(peft.trainableParametersLine());
            out.flush();
            ObjectMapper mapper = runtime.objectMapper();
            String adapterConfig = AdapterLabels.add(mapper,
                    peft.adapterConfigJson(SaveOptions.defaults().withBaseModel(BASE_MODEL.hubName())), dataset);
            Trainer.Builder trainer = Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(recipe)
                    .optProgressBar(progressBar);
            if (checkpoints.save() != null) {
                trainer.optCheckpoints(checkpoints.save().saveSteps(), new TrainingCheckpointWriter(
                        CheckpointLayout.checkpointsOf(output), adapterConfig, checkpoints.save().toJson(mapper),
                        checkpoints.save().saveTotalLimit()));
            }
            TrainingCheckpoint resumeFrom = checkpoints.resumeFrom();
            if (resumeFrom != null) {
                TrainerState state = resumeFrom.snapshot().state();
                out.printf(Locale.ROOT, "resuming from %s: %d of %d updates done (epoch %d, batch %d)%n", resumeFrom.folder(),
                        state.globalStep(), state.totalSteps(), Math.min(state.epoch() + 1, recipe.epochs()), state.nextBatch());
                out.flush();
                trainer.optResumeFrom(resumeFrom.snapshot());
            }
            TrainingResult result = trainer.build().train(train, test);
            for (EpochMetrics epoch : result.epochs()) {
                out.printf(Locale.ROOT, "epoch %d: train loss %.4f | held-out loss %.4f, accuracy %.4f, macro-F1 %.4f%n",
                        epoch.epoch() + 1, epoch.trainLoss(), epoch.evaluation().loss(), epoch.evaluation().accuracy(),
                        epoch.evaluation().metrics().macroF1());
            }
            long adapterBytes;
            TrainingReport report;
            try {
                adapterBytes = AdapterCheckpoint.save(output, adapterConfig, peft.adapterWeights(), Map.of("format", "pt"));
                report = TrainingReport.of(runtime, config, recipe, peft, result, loadSeconds, adapterBytes,
                        RunEnvironment.capture(runtime), resumeFrom == null ? null : resumeFrom.folder().toString(),
                        resumeFrom == null ? 0 : resumeFrom.snapshot().state().globalStep());
                AtomicFiles.write(output.resolve("results.json"), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
            } catch (IOException e) {
                throw IoErrors.cannotWrite(output, e);
            }
            out.printf(Locale.ROOT, "wall time %.1f s, median step %.1f ms, %.0f tokens/s; adapter (%,d bytes) and results.json in %s%n",
                    result.wallTime().toNanos() / 1e9, result.medianStepNanos() / 1e6, report.tokensPerSecond(), adapterBytes, output);
            out.flush();
            return report;
        }
    }

    private static List<TrainingExample> examples(List<LabeledText> rows, Integer limit) {
        if (limit != null && limit <= 0) {
            throw new IllegalArgumentException("sample limits must be > 0, got " + limit);
        }
        List<LabeledText> kept = limit == null || limit >= rows.size() ? rows : rows.subList(0, limit);
        return kept.stream().map(row -> new TrainingExample(row.text(), row.label())).toList();
    }
}
