package dev.peft4j.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.memory.LiveModelShapes;
import dev.peft4j.core.memory.MemoryAccountant;
import dev.peft4j.core.memory.MemoryBreakdown;
import dev.peft4j.core.memory.OptimizerKind;
import dev.peft4j.core.memory.PlanSettings;
import dev.peft4j.core.memory.WeightFormat;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.train.AdamW;
import dev.peft4j.core.train.EpochShuffle;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingMeters;
import dev.peft4j.core.train.TrainingStep;
import dev.peft4j.examples.cli.TrainPreset;
import dev.peft4j.examples.data.DatasetSplit;
import dev.peft4j.examples.data.RottenTomatoes;
import dev.peft4j.examples.data.StratifiedSplit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The child side of the memory benchmark: trains {@code --steps} updates of the MiniLM recipe
 * ({@code peft train}'s preset: all-MiniLM-L6-v2 with a SEQ_CLS head, real Rotten Tomatoes
 * sentences, batch 32, max length 64, AdamW) with one method and reports, as a {@link ChildReport},
 * the resident memory at idle (engine, data, tokenizer and adapted model loaded; the high-water mark
 * reset there), the resident memory once AdamW's state exists and between the first two steps
 * (optimizer state and gradients stay, activations are freed), the peak since, the training loop's Micrometer memory gauges, and the accountant's
 * breakdown for the same model and workload.
 *
 * <p>Arguments: {@code --method ALIAS} (required), {@code --steps N} (8), {@code --batch-size B}
 * (32), {@code --max-length S} (64). Run it through {@link ChildJvm}, never in a JVM that has trained before.
 */
public final class MemoryProbe {

    private MemoryProbe() {}

    /**
     * @param args {@code --method lora [--steps 8] [--batch-size 32] [--max-length 64]}
     * @throws Exception on any failure (the parent shows the output)
     */
    public static void main(String[] args) throws Exception {
        String method = null;
        int steps = 8;
        int batchSize = 32;
        int maxLength = 64;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--method" -> method = args[i + 1];
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--batch-size" -> batchSize = Integer.parseInt(args[i + 1]);
                case "--max-length" -> maxLength = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (method == null) {
            throw new IllegalArgumentException("--method is required");
        }
        ChildReport.emit(measure(method, steps, batchSize, maxLength), System.out);
    }

    static ObjectNode measure(String alias, int steps, int batchSize, int maxLength) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        PeftRuntime runtime = PeftRuntime.discover();
        PeftMethodProvider<?> provider = runtime.provider(alias);
        PeftConfig config = runtime.readUserConfig(mapper.writeValueAsString(TrainPreset.method(mapper, provider.peftType())));
        DatasetSplit split = StratifiedSplit.split(RottenTomatoes.load(), 0.2, 0);
        List<TrainingExample> train = split.train().stream().map(row -> new TrainingExample(row.text(), row.label())).toList();
        BundledModel bundled = BundledModel.ALL_MINILM_L6_V2;
        Engine.getInstance().setRandomSeed(0);
        try (NDManager manager = NDManager.newBaseManager();
                SentenceTokenizer tokenizer = bundled.tokenizer(maxLength)) {
            TransformerModel base = TransformerModel.pretrainedBert(bundled.importWeights(), TaskType.SEQ_CLS,
                    RottenTomatoes.labelNames().size(), manager);
            ModelShape shape = LiveModelShapes.of(base);
            try (PeftModel peft = runtime.getPeftModel(base, config, ConfigOrigin.USER, tokenizer)) {
                MemoryBreakdown accounted = account(provider, config, shape, batchSize, maxLength);
                List<List<TrainingExample>> batches = batches(train, batchSize, steps);
                int longest = 0;
                for (List<TrainingExample> batch : batches) {
                    longest = Math.max(longest, tokenizer.encode(batch.stream().map(TrainingExample::text).toList()).sequenceLength());
                }
                System.gc();
                long idle = PeakMemory.residentBytes();
                PeakMemory.resetHighWaterMark();
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                TrainingMeters meters = TrainingMeters.of(registry);
                double gaugePeak = 0;
                long afterOptimizer;
                long afterFirstStep = 0;
                try (AdamW optimizer = AdamW.builder().setParameters(Parameters.byName(peft.baseModel().root()))
                        .optWeightDecay(0.01).build()) {
                    afterOptimizer = PeakMemory.residentBytes();
                    TrainingStep step = new TrainingStep(peft, tokenizer, optimizer, 0, 1.0);
                    for (int i = 0; i < batches.size(); i++) {
                        long began = System.nanoTime();
                        TrainingStep.Outcome outcome = step.run(List.of(batches.get(i)), 5e-4, i);
                        meters.record(new StepEvent(0, i, batches.size(), outcome.loss(), 5e-4, outcome.gradNorm(), outcome.examples(),
                                outcome.tokens(), System.nanoTime() - began));
                        gaugePeak = Math.max(gaugePeak, registry.get("peft.memory.rss.bytes").gauge().value());
                        if (i == 0) {
                            afterFirstStep = PeakMemory.residentBytes();
                        }
                    }
                }
                long peak = PeakMemory.highWaterMarkBytes();
                ObjectNode report = mapper.createObjectNode();
                report.put("method", provider.alias());
                report.put("steps", batches.size());
                report.put("batch_size", batchSize);
                report.put("max_length", maxLength);
                report.put("longest_batch_tokens", longest);
                report.put("idle_rss_bytes", idle);
                report.put("peak_rss_bytes", peak);
                report.put("optimizer_rss_bytes", afterOptimizer - idle);
                report.put("between_steps_rss_bytes", afterFirstStep - idle);
                report.put("gauge_rss_max_bytes", (long) gaugePeak);
                report.put("gauge_heap_bytes", (long) registry.get("peft.memory.heap.bytes").gauge().value());
                report.put("trainable_parameters", Parameters.count(peft.baseModel().root(), true));
                report.put("total_parameters", Parameters.count(peft.baseModel().root(), false));
                report.set("accounted", mapper.valueToTree(accounted));
                return report;
            }
        }
    }

    private static <C extends PeftConfig> MemoryBreakdown account(PeftMethodProvider<C> provider, PeftConfig config, ModelShape shape,
            int batchSize, int maxLength) {
        return MemoryAccountant.account(provider, provider.configType().cast(config), shape,
                new PlanSettings(WeightFormat.FP32, OptimizerKind.ADAMW, batchSize, maxLength, false));
    }

    private static List<List<TrainingExample>> batches(List<TrainingExample> train, int batchSize, int steps) {
        int[] order = EpochShuffle.order(0, 0, train.size());
        List<List<TrainingExample>> out = new ArrayList<>();
        for (int start = 0; start + batchSize <= train.size() && out.size() < steps; start += batchSize) {
            List<TrainingExample> batch = new ArrayList<>();
            for (int i = start; i < start + batchSize; i++) {
                batch.add(train.get(order[i]));
            }
            out.add(batch);
        }
        return out;
    }
}
