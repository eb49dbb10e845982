package dev.peft4j.examples.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.train.Autograd;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code peft predict --adapter DIR "text"...}: the predicted label of each text and the softmax
 * probability of every class, e.g. {@code positive  negative 0.1234  positive 0.8766  "a gripping film"}.
 */
@Command(name = "predict", description = "Classify texts with a saved adapter: label and class probabilities.")
final class PredictCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--adapter", required = true, description = "The adapter folder (adapter_config.json, adapter_model.safetensors).")
    private java.nio.file.Path adapter;

    @Option(names = "--model", defaultValue = "all-minilm-l6-v2", description = "The base encoder the adapter was trained on (default: ${DEFAULT-VALUE}).")
    private String modelName;

    @Option(names = "--max-length", defaultValue = "64", description = "Truncate texts at this many tokens (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "The texts to classify.")
    private List<String> texts;

    @Override
    public Integer call() throws Exception {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("--max-length must be > 0, got " + maxLength);
        }
        BundledModel base = BundledModel.byName(modelName);
        SavedAdapter saved = SavedAdapter.open(PeftRuntime.discover(), adapter);
        List<String> labels = saved.labelNames();
        PrintWriter out = spec.commandLine().getOut();
        ImportedBert imported = base.importWeights();
        MaxLength.require(base, imported, maxLength);
        try (NDManager manager = NDManager.newBaseManager();
                SentenceTokenizer tokenizer = base.tokenizer(maxLength);
                PeftModel peft = saved.load(imported, tokenizer, manager);
                NDManager scope = manager.newSubManager();
                var ignored = Autograd.noGrad()) {
            NDArray probabilities = peft.forward(tokenizer.encode(texts).toNDList(scope), false).head().softmax(1);
            float[] values = probabilities.toFloatArray();
            for (int row = 0; row < texts.size(); row++) {
                int best = 0;
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < labels.size(); c++) {
                    float p = values[row * labels.size() + c];
                    best = p > values[row * labels.size() + best] ? c : best;
                    line.append(String.format(Locale.ROOT, "  %s %.4f", labels.get(c), p));
                }
                out.printf(Locale.ROOT, "%s%s  \"%s\"%n", labels.get(best), line, texts.get(row));
            }
        }
        out.flush();
        return 0;
    }
}
