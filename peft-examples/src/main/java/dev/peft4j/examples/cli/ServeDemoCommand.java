package dev.peft4j.examples.cli;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.io.onnx.ImportedBert;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.RowAdapters;
import dev.peft4j.examples.data.LabeledText;
import dev.peft4j.examples.data.StratifiedSplit;
import dev.peft4j.examples.serve.AdapterTally;
import dev.peft4j.examples.serve.RequestStream;
import dev.peft4j.examples.serve.ResidentMemory;
import dev.peft4j.examples.serve.ServeRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peft serve-demo --adapter sentiment=DIR --adapter spam=DIR ...}: one MiniLM with several
 * adapters trained by {@code peft train}, serving a mixed stream of labelled requests (drawn with a
 * fixed seed from each adapter's held-out split, the dataset its config records) in mixed-adapter
 * batches ({@link PeftModel#forward(ai.djl.ndarray.NDList, List)}). Prints per adapter the requests,
 * accuracy, latency p50/p95 (ms per request: its batch's tokenization and forward pass) and
 * throughput (requests/s over the whole run), and the memory of the one shared base model with its
 * adapters against separate model copies (see {@link ServeMemory}).
 */
@Command(name = "serve-demo", description = "Serve several adapters on one MiniLM: a mixed request stream in mixed-adapter "
        + "batches, with latency, throughput, accuracy and memory against separate model copies.")
final class ServeDemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--adapter", required = true, paramLabel = "NAME=DIR", description = "An adapter folder written by "
            + "'peft train' and the name it serves under; repeat for each adapter.")
    private List<String> adapterArgs;

    @Option(names = "--requests", defaultValue = "300", description = "Requests in the stream (default: ${DEFAULT-VALUE}).")
    private int requests;

    @Option(names = "--batch-size", defaultValue = "16", description = "Requests per mixed batch (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the request stream (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--max-length", defaultValue = "64", description = "Truncate texts at this many tokens (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Option(names = "--model", defaultValue = "all-minilm-l6-v2", description = "The base encoder the adapters were trained on "
            + "(default: ${DEFAULT-VALUE}).")
    private String modelName;

    @Override
    public Integer call() throws Exception {
        requirePositive("--requests", requests);
        requirePositive("--batch-size", batchSize);
        requirePositive("--max-length", maxLength);
        BundledModel base = BundledModel.byName(modelName);
        PeftRuntime runtime = PeftRuntime.discover();
        Map<String, SavedAdapter> adapters = open(runtime);
        SavedAdapter first = adapters.values().iterator().next();
        Map<String, List<LabeledText>> heldOut = new LinkedHashMap<>();
        for (Map.Entry<String, SavedAdapter> entry : adapters.entrySet()) {
            heldOut.put(entry.getKey(), StratifiedSplit.split(entry.getValue().dataset().load(), TrainingRun.TEST_FRACTION,
                    TrainingRun.SPLIT_SEED).test());
        }
        List<ServeRequest> stream = RequestStream.draw(heldOut, requests, seed);
        PrintWriter out = spec.commandLine().getOut();
        ImportedBert imported = base.importWeights();
        MaxLength.require(base, imported, maxLength);
        try (NDManager manager = NDManager.newBaseManager(); SentenceTokenizer tokenizer = base.tokenizer(maxLength)) {
            manager.zeros(new ai.djl.ndarray.types.Shape(1)).close();   // the engine is up before the first measurement
            long idle = ResidentMemory.bytesAfterGc();
            TransformerModel model = TransformerModel.pretrainedBert(imported, TaskType.SEQ_CLS, first.numLabels(), manager);
            long baseParameters = Parameters.count(model.root(), false);
            try (PeftModel peft = runtime.fromPretrained(model, first.folder(), InjectionContext.DEFAULT_ADAPTER, false, tokenizer)) {
                Map<String, String> internal = new LinkedHashMap<>();
                internal.put(adapters.keySet().iterator().next(), InjectionContext.DEFAULT_ADAPTER);
                for (Map.Entry<String, SavedAdapter> entry : adapters.entrySet()) {
                    if (entry.getValue() != first) {
                        entry.getValue().loadInto(peft, entry.getKey());
                        internal.put(entry.getKey(), entry.getKey());
                    }
                }
                long loaded = ResidentMemory.bytesAfterGc();
                ServeMemory memory = ServeMemory.measure(ServeMemory.growth(idle, loaded), baseParameters, peft.totalParameterCount() - baseParameters,
                        adapters.size(), () -> first.load(imported, tokenizer, manager));
                out.printf(Locale.ROOT, "serve-demo: %s + %d adapter%s %s, %d requests (seed %d) in mixed batches of %d%n",
                        base.modelName(), adapters.size(), adapters.size() == 1 ? "" : "s", adapters.keySet(), requests, seed, batchSize);
                Map<String, AdapterTally> tallies = new LinkedHashMap<>();
                adapters.keySet().forEach(name -> tallies.put(name, new AdapterTally()));
                serve(peft, tokenizer, manager, stream.subList(0, Math.min(batchSize, stream.size())), internal, null);
                long start = System.nanoTime();
                for (int from = 0; from < stream.size(); from += batchSize) {
                    serve(peft, tokenizer, manager, stream.subList(from, Math.min(from + batchSize, stream.size())), internal, tallies);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                printTable(out, adapters, tallies, seconds);
                memory.print(out);
            }
        }
        out.flush();
        return 0;
    }

    private Map<String, SavedAdapter> open(PeftRuntime runtime) throws java.io.IOException {
        Map<String, SavedAdapter> adapters = new LinkedHashMap<>();
        for (String arg : adapterArgs) {
            int equals = arg.indexOf('=');
            if (equals <= 0 || equals == arg.length() - 1) {
                throw new IllegalArgumentException("--adapter takes NAME=DIR (e.g. sentiment=results/lora-sentiment), got '" + arg + "'");
            }
            String name = arg.substring(0, equals);
            if (name.equals(RowAdapters.BASE)) {
                throw new IllegalArgumentException("--adapter name '" + name + "' is HF PEFT's name for the base model; choose another");
            }
            dev.peft4j.core.io.CheckpointPaths.requireAdapterName(name);
            if (adapters.containsKey(name)) {
                throw new IllegalArgumentException("--adapter name '" + name + "' is given twice");
            }
            adapters.put(name, SavedAdapter.open(runtime, Path.of(arg.substring(equals + 1))));
        }
        SavedAdapter first = adapters.values().iterator().next();
        adapters.forEach((name, adapter) -> {
            if (adapter.numLabels() != first.numLabels()) {
                throw new IllegalArgumentException("adapter '" + name + "' has a head of " + adapter.numLabels() + " classes, adapter '"
                        + adapters.keySet().iterator().next() + "' one of " + first.numLabels() + "; one base model serves heads of "
                        + "one width (one logits tensor per batch)");
            }
            adapter.mixedBatchRefusal(name).ifPresent(reason -> {
                throw new IllegalArgumentException(reason);
            });
        });
        return adapters;
    }

    /** Classifies one mixed batch; records each request's latency and correctness unless {@code tallies} is null (warm-up). */
    private static void serve(PeftModel peft, SentenceTokenizer tokenizer, NDManager manager, List<ServeRequest> batch,
            Map<String, String> internal, Map<String, AdapterTally> tallies) {
        try (NDManager scope = manager.newSubManager()) {
            long start = System.nanoTime();
            List<String> names = new ArrayList<>(batch.size());
            batch.forEach(request -> names.add(internal.get(request.adapter())));
            var inputs = tokenizer.encode(batch.stream().map(ServeRequest::text).toList()).toNDList(scope);
            float[] logits = peft.forward(inputs, names).head().toFloatArray();
            long nanos = System.nanoTime() - start;
            if (tallies == null) {
                return;
            }
            int classes = logits.length / batch.size();
            for (int row = 0; row < batch.size(); row++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    best = logits[row * classes + c] > logits[row * classes + best] ? c : best;
                }
                ServeRequest request = batch.get(row);
                tallies.get(request.adapter()).add(nanos, best == request.label());
            }
        }
    }

    private static void printTable(PrintWriter out, Map<String, SavedAdapter> adapters, Map<String, AdapterTally> tallies,
            double seconds) {
        out.printf(Locale.ROOT, "%-14s %-12s %8s %9s %8s %8s %8s%n", "adapter", "dataset", "requests", "accuracy", "p50 ms", "p95 ms",
                "req/s");
        int total = 0;
        int correct = 0;
        for (Map.Entry<String, AdapterTally> entry : tallies.entrySet()) {
            AdapterTally tally = entry.getValue();
            total += tally.requests();
            correct += (int) Math.round(tally.accuracy() * tally.requests());
            out.printf(Locale.ROOT, "%-14s %-12s %8d %9.4f %8.1f %8.1f %8.1f%n", entry.getKey(),
                    adapters.get(entry.getKey()).dataset().cliName(), tally.requests(), tally.accuracy(), tally.percentileMillis(50),
                    tally.percentileMillis(95), tally.requests() / seconds);
        }
        out.printf(Locale.ROOT, "%-14s %-12s %8d %9.4f %8s %8s %8.1f%n", "all", "", total, total == 0 ? Double.NaN
                : (double) correct / total, "", "", total / seconds);
    }

    private static void requirePositive(String option, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be > 0, got " + value);
        }
    }
}
