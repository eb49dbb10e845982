package dev.peft4j.examples.cli;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.SentenceEncoder;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
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
 * {@code peft embed SENTENCE...}: loads a real pretrained encoder, embeds the sentences
 * (mean-pooled, L2-normalised, as sentence-transformers) and prints their cosine similarities.
 */
@Command(name = "embed", description = "Embed sentences with a pretrained encoder and print their cosine-similarity matrix.")
final class EmbedCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SENTENCE", description = "The sentences to embed.")
    private List<String> sentences;

    @Option(names = "--model", defaultValue = "all-minilm-l6-v2",
            description = "Pretrained encoder: all-minilm-l6-v2 or bge-small-en-v1.5 (default: ${DEFAULT-VALUE}).")
    private String modelName;

    @Option(names = "--max-length", defaultValue = "128", description = "Truncate sentences at this many tokens (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Override
    public Integer call() throws Exception {
        BundledModel bundled = BundledModel.byName(modelName);
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        ImportedBert imported = bundled.importWeights();
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel model = TransformerModel.pretrainedBert(imported, TaskType.FEATURE_EXTRACTION, 0, manager);
                SentenceTokenizer tokenizer = bundled.tokenizer(maxLength)) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "loaded %s (%d layers, hidden %d) in %.2f s%n",
                    bundled.modelName(), imported.config().numHiddenLayers(), imported.config().hiddenSize(), loadSeconds);
            float[][] embeddings = new SentenceEncoder(model, tokenizer).embed(sentences);
            printSimilarities(out, embeddings);
        }
        out.flush();
        return 0;
    }

    private void printSimilarities(PrintWriter out, float[][] embeddings) {
        out.println();
        out.print("      ");
        for (int j = 0; j < embeddings.length; j++) {
            out.printf(Locale.ROOT, "%8s", "[" + (j + 1) + "]");
        }
        out.println();
        for (int i = 0; i < embeddings.length; i++) {
            out.printf(Locale.ROOT, "%-6s", "[" + (i + 1) + "]");
            for (float[] other : embeddings) {
                out.printf(Locale.ROOT, "%8.4f", CosineSimilarity.of(embeddings[i], other));
            }
            out.println();
        }
        out.println();
        for (int i = 0; i < sentences.size(); i++) {
            out.printf(Locale.ROOT, "[%d] %s%n", i + 1, sentences.get(i));
        }
    }
}
