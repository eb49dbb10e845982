package dev.peft4j.examples.cli;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.train.Evaluation;
import dev.peft4j.core.train.Evaluator;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.examples.data.DatasetSplit;
import dev.peft4j.examples.data.PatternDataset;
import dev.peft4j.examples.data.StratifiedSplit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peft eval --adapter DIR}: the held-out accuracy, macro-F1 and loss of a saved adapter on
 * the split {@code peft train} evaluates on (the 800 Rotten Tomatoes sentences of the stratified
 * 80/20 split, seed 0; or the held-out part of the dataset the adapter's config records, see
 * {@link AdapterLabels}).
 */
@Command(name = "eval", description = "Held-out accuracy of a saved adapter on the held-out split of the dataset it was trained on (as 'peft train' splits it).")
final class EvalCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--adapter", required = true, description = "The adapter folder (adapter_config.json, adapter_model.safetensors).")
    private Path adapter;

    @Option(names = "--model", defaultValue = "all-minilm-l6-v2", description = "The base encoder the adapter was trained on (default: ${DEFAULT-VALUE}).")
    private String modelName;

    @Option(names = "--max-length", defaultValue = "64", description = "Truncate sentences at this many tokens (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Option(names = "--batch-size", defaultValue = "32", description = "Sentences per forward pass (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--max-eval-samples", description = "Evaluate on at most this many held-out sentences (default: all).")
    private Integer maxEvalSamples;

    @Override
    public Integer call() throws Exception {
        requirePositive("--batch-size", batchSize);
        requirePositive("--max-length", maxLength);
        if (maxEvalSamples != null) {
            requirePositive("--max-eval-samples", maxEvalSamples);
        }
        BundledModel base = BundledModel.byName(modelName);
        SavedAdapter saved = SavedAdapter.open(PeftRuntime.discover(), adapter);
        PatternDataset dataset = saved.dataset();
        if (saved.numLabels() != dataset.labelNames().size()) {
            throw new IllegalArgumentException(adapter + ": the saved head has " + saved.numLabels() + " classes, the "
                    + (dataset == PatternDataset.POLARITY ? "Rotten Tomatoes" : dataset.cliName())
                    + " split has " + dataset.labelNames().size() + " " + dataset.labelNames());
        }
        DatasetSplit split = StratifiedSplit.split(dataset.load(), TrainingRun.TEST_FRACTION, TrainingRun.SPLIT_SEED);
        List<TrainingExample> test = split.test().stream()
                .limit(maxEvalSamples == null ? Long.MAX_VALUE : maxEvalSamples)
                .map(row -> new TrainingExample(row.text(), row.label())).toList();
        PrintWriter out = spec.commandLine().getOut();
        ImportedBert imported = base.importWeights();
        MaxLength.require(base, imported, maxLength);
        try (NDManager manager = NDManager.newBaseManager();
                SentenceTokenizer tokenizer = base.tokenizer(maxLength);
                PeftModel peft = saved.load(imported, tokenizer, manager)) {
            Evaluation evaluation = Evaluator.evaluate(peft, tokenizer, test, batchSize, saved.numLabels());
            out.printf(Locale.ROOT, "%s on %s: %d held-out sentences%n", adapter, base.modelName(), test.size());
            out.printf(Locale.ROOT, "accuracy %.4f | macro-F1 %.4f | loss %.4f%n", evaluation.accuracy(), evaluation.macroF1(),
                    evaluation.loss());
        }
        out.flush();
        return 0;
    }

    private static void requirePositive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be > 0, got " + value);
        }
    }
}
