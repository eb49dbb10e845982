package dev.peft4j.examples.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.generate.Generator;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.runtime.SaveOptions;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.lm.CausalLmTrainer;
import dev.peft4j.core.train.lm.LmTrainingListener;
import dev.peft4j.core.train.lm.LmTrainingRecipe;
import dev.peft4j.core.train.lm.LmTrainingResult;
import dev.peft4j.core.train.lm.Perplexity;
import dev.peft4j.core.train.lm.PerplexityEvaluator;
import dev.peft4j.examples.bench.PeakMemory;
import dev.peft4j.examples.compare.ProgressLine;
import dev.peft4j.examples.data.DataLocations;
import dev.peft4j.examples.data.DocumentSplit;
import dev.peft4j.examples.data.Fortunes;
import dev.peft4j.examples.data.MobyDick;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One method's run inside its child JVM of {@code peft compare-lm}: load the fortunes and Moby
 * Dick splits and the cached base; measure the base (held-out perplexities, samples); apply the
 * method; measure the resident memory at idle and reset the high-water mark; train on the fortunes
 * blocks ({@link CausalLmTrainer}); read the peak; measure again with the adapter enabled and, for
 * PEFT methods, Moby Dick with it disabled (which must give the base's NLL sum bit for bit); sample;
 * save the adapter in HF PEFT's format into {@code <output>/<method>/adapter/}.
 */
final class LmMethodTraining {

    /** The adapter folder inside a method's folder. */
    static final String ADAPTER_DIR = "adapter";

    private final LmChildSpec spec;
    private final PeftRuntime runtime;
    private final PrintStream out;

    LmMethodTraining(LmChildSpec spec, PeftRuntime runtime, PrintStream out) {
        this.spec = spec;
        this.runtime = runtime;
        this.out = out;
    }

    LmMethodResult run() throws IOException {
        ObjectMapper mapper = runtime.objectMapper();
        LmMethodPlan plan = spec.method();
        CompareLmRecipe recipe = spec.recipe();
        DataLocations locations = spec.dataDir() == null ? DataLocations.fromEnvironment()
                : new DataLocations(Path.of(spec.dataDir()), null);
        DocumentSplit fortunes = Fortunes.split(locations);
        DocumentSplit mobyDick = MobyDick.split(locations);
        List<int[]> train = TokenStream.pack(fortunes.train()).blocks(recipe.seqLen());
        List<int[]> fortunesEval = TokenStream.pack(fortunes.heldOut()).evaluationWindows(recipe.seqLen(), recipe.fortunesEvalWindows());
        List<int[]> mobyEval = TokenStream.pack(mobyDick.heldOut()).evaluationWindows(recipe.seqLen(), recipe.mobyDickEvalWindows());
        Path baseFolder = Path.of(spec.baseFolder());
        Path folder = Files.createDirectories(Path.of(spec.outputDir()).resolve(plan.alias()));
        PeftConfig config = runtime.readUserConfig(mapper.writeValueAsString(plan.methodConfig()));
        boolean full = "FULL".equals(plan.peftType());
        Engine.getInstance().setRandomSeed(Math.toIntExact(recipe.seed()));
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerModel base = DecoderBaseFolder.load(baseFolder, manager);
            long fullModelBytes = Files.size(baseFolder.resolve(DecoderBaseFolder.WEIGHTS_FILE));
            int batch = recipe.batchSize();
            Perplexity mobyBase = PerplexityEvaluator.evaluate(base, mobyEval, batch, ByteTokenizer.PAD);
            Perplexity fortunesBefore = PerplexityEvaluator.evaluate(base, fortunesEval, batch, ByteTokenizer.PAD);
            LmMethodResult.Samples before = PromptSamples.of(Generator.of(base), recipe);
            try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER)) {
                System.gc();
                long idle = PeakMemory.residentBytes();
                PeakMemory.resetHighWaterMark();
                LmTrainingRecipe lm = new LmTrainingRecipe(plan.lr(), 1, (long) recipe.steps(), batch, recipe.seed(),
                        recipe.warmupRatio(), recipe.weightDecay(), recipe.maxGradNorm(), 1);
                LmTrainingResult result = CausalLmTrainer.builder().setModel(peft).setRecipe(lm).optProgressBar(false)
                        .optPadTokenId(ByteTokenizer.PAD).optListener(new LmTrainingListener() {
                            @Override
                            public void onStep(StepEvent event) {
                                out.println(ProgressLine.format(event.step() + 1, event.totalSteps()));
                                out.flush();
                            }
                        }).build().train(train, List.of());
                long peak = PeakMemory.highWaterMarkBytes();
                Perplexity fortunesAfter = PerplexityEvaluator.evaluate(peft, fortunesEval, batch, ByteTokenizer.PAD);
                Perplexity mobyAfter = PerplexityEvaluator.evaluate(peft, mobyEval, batch, ByteTokenizer.PAD);
                Perplexity mobyDisabled = null;
                if (!full) {
                    try (AdapterToggle.Scope disabled = peft.disableAdapter()) {
                        mobyDisabled = PerplexityEvaluator.evaluate(peft, mobyEval, batch, ByteTokenizer.PAD);
                    }
                }
                LmMethodResult.Samples after = PromptSamples.of(Generator.of(peft), recipe);
                Path adapter = folder.resolve(ADAPTER_DIR);
                AdapterCheckpoint.save(adapter, peft.adapterConfigJson(SaveOptions.defaults().withBaseModel(baseFolder.toString())),
                        peft.adapterWeights(), Map.of("format", "pt"));
                long adapterBytes = Files.size(adapter.resolve(AdapterCheckpoint.CONFIG_FILE))
                        + Files.size(adapter.resolve(AdapterCheckpoint.WEIGHTS_FILE));
                long trainable = peft.trainableParameterCount();
                long all = peft.totalParameterCount();
                double wall = result.wallTime().toNanos() / 1e9;
                return new LmMethodResult(plan.alias(), plan.peftType(), LmMethodResult.OK, null, fortunesBefore.value(),
                        fortunesAfter.value(), mobyBase.value(), mobyAfter.value(), mobyDisabled == null ? null : mobyDisabled.value(),
                        mobyDisabled == null ? null : mobyDisabled.equals(mobyBase), before, after, trainable, all,
                        100.0 * trainable / all, Math.toIntExact(result.steps()), wall, result.medianStepNanos() / 1e6,
                        result.tokensSeen() / wall, new LmMethodResult.Memory(idle, peak, peak - idle), adapterBytes,
                        fullModelBytes, result.history().stream().map(StepEvent::loss).toList(), mapper.valueToTree(peft.config()));
            }
        }
    }
}
