package dev.peft4j.examples.lm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.data.DataLocations;
import dev.peft4j.examples.data.DocumentSplit;
import dev.peft4j.examples.data.MobyDick;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole decoder run on generated corpora and a tiny decoder: pre-training into the cache (and
 * its rebuild after corruption, bit for bit), then {@code compare-lm}'s parent and real child JVMs.
 */
class CompareLmEndToEndTest {

    /** One layer of width 16, 2 query heads over 1 key/value head, windows of 16 bytes, 4 updates. */
    static final PretrainRecipe TINY = new PretrainRecipe(16, 32, 1, 2, 1, 16, 4, 4, 3e-3, 0.0, 0.0, 1.0, 0, 4);

    @TempDir
    Path dir;

    private final PeftRuntime runtime = PeftRuntime.discover();
    private final ObjectMapper mapper = runtime.objectMapper();

    @Test
    void aTinyBaseIsPretrainedCachedRebuiltIdenticallyAndAdaptedByEachMethod() throws IOException, InterruptedException {
        Path data = TinyCorpora.write(dir.resolve("data"));
        DocumentSplit moby = MobyDick.split(new DataLocations(data, null));
        BaseModelCache cache = new BaseModelCache(dir.resolve("cache"), mapper);
        List<String> log = new ArrayList<>();
        DecoderBase base = DecoderBase.ensure(runtime, TINY, moby, cache, mapper, log::add);
        PretrainReport report = base.report();
        assertThat(log.getFirst()).startsWith("building the base model: ");
        assertThat(log).anyMatch(line -> line.startsWith("pretrain: update 4/4, loss "));
        // tied head: embed 259x16, per layer q 16x16, k 16x8, v 16x8, o 16x16, MLP 3x16x32, 2 norms of 16; final norm 16
        assertThat(report.parameters()).isEqualTo(259 * 16 + (256 + 128 + 128 + 256 + 3 * 512 + 32) + 16);
        assertThat(report.heldOutPerplexity()).isGreaterThan(1).isLessThan(259 * 2);
        byte[] weights = Files.readAllBytes(base.folder().resolve(DecoderBaseFolder.WEIGHTS_FILE));

        // reused as is, then a flipped byte is found and the base rebuilt bit for bit
        assertThat(DecoderBase.ensure(runtime, TINY, moby, cache, mapper, log::add).report()).isEqualTo(report);
        byte[] corrupt = weights.clone();
        corrupt[corrupt.length - 1] ^= 1;
        Files.write(base.folder().resolve(DecoderBaseFolder.WEIGHTS_FILE), corrupt);
        List<String> rebuildLog = new ArrayList<>();
        PretrainReport rebuilt = DecoderBase.ensure(runtime, TINY, moby, cache, mapper, rebuildLog::add).report();
        assertThat(rebuildLog.getFirst()).startsWith("rebuilding the cached base model (its files hash to ");
        assertThat(Files.readAllBytes(base.folder().resolve(DecoderBaseFolder.WEIGHTS_FILE))).isEqualTo(weights);
        assertThat(rebuilt.filesSha256()).isEqualTo(report.filesSha256());
        assertThat(rebuilt.heldOutPerplexity()).isEqualTo(report.heldOutPerplexity());

        CompareLmRecipe defaults = CompareLmDefaults.recipe(runtime, true, null);
        CompareLmRecipe recipe = new CompareLmRecipe(TINY, 2, 2, 16, 0, 0.0, 0.0, 1.0, 3, 3, "The", 4, 0.8, 40, 0.95, "512m", 5,
                defaults.methods());
        Path output = dir.resolve("out");
        StringWriter text = new StringWriter();
        LmCompareResults results = new LmComparison(runtime, recipe, base, output, true, false, mapper.createObjectNode(), data)
                .run(new PrintWriter(text), new PrintStream(PrintStream.nullOutputStream()));
        assertThat(results.methods()).extracting(LmMethodResult::method).containsExactly("full", "lora", "bottleneck", "prefix", "prompt");
        for (LmMethodResult m : results.methods()) {
            assertThat(m.failure()).as(m.method()).isNull();
            assertThat(m.steps()).isEqualTo(2);
            assertThat(m.trainLosses()).hasSize(2).allMatch(Double::isFinite);
            assertThat(m.mobyDickPerplexityBase()).as("the same base in every child").isEqualTo(results.methods().getFirst()
                    .mobyDickPerplexityBase());
            assertThat(m.samplesBefore().prompt()).isEqualTo("The");
            assertThat(m.adapterBytes()).isPositive();
            assertThat(Files.isRegularFile(output.resolve(m.method()).resolve("adapter").resolve("adapter_model.safetensors"))).isTrue();
        }
        LmMethodResult full = results.methods().get(0);
        assertThat(full.baseIntact()).isNull();
        assertThat(full.mobyDickPerplexityDisabled()).isNull();
        assertThat(full.trainablePercent()).isEqualTo(100.0);
        for (LmMethodResult peft : results.methods().subList(1, 5)) {
            assertThat(peft.baseIntact()).as(peft.method() + ": adapter disabled gives the base").isTrue();
            assertThat(peft.mobyDickPerplexityDisabled()).isEqualTo(peft.mobyDickPerplexityBase());
            assertThat(peft.trainableParams()).isLessThan(full.trainableParams());
            assertThat(peft.fortunesPerplexityBefore()).isEqualTo(full.fortunesPerplexityBefore());
        }
        assertThat(results.methods().get(4).trainableParams()).as("prompt: 16 virtual tokens x hidden 16").isEqualTo(16 * 16);
        assertThat(results.methods().get(3).trainableParams()).as("prefix: 16 tokens x 1 layer x (keys, values) x 1 KV head x 8")
                .isEqualTo(16 * 2 * 8);
        assertThat(output.resolve("results.json")).isRegularFile();
        LmCompareResults read = mapper.readValue(output.resolve("results.json").toFile(), LmCompareResults.class);
        assertThat(read.base()).isEqualTo(results.base());
        assertThat(read.methods()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("config").isEqualTo(results.methods());
        assertThat(Files.readString(output.resolve("report.html"))).contains("<h3>lora</h3>", "data:image/png;base64,");
        assertThat(output.resolve("charts").resolve("perplexity.png")).isRegularFile();
        assertThat(text.toString()).contains("| lora | ", "lora: fortunes ppl ", "base intact");
    }
}
