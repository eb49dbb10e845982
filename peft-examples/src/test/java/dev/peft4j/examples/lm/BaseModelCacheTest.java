package dev.peft4j.examples.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's bookkeeping with a builder that writes known bytes (training is covered by the end-to-end test). */
class BaseModelCacheTest {

    @TempDir
    Path dir;

    private final ObjectMapper mapper = PeftRuntime.of(List.of()).objectMapper();
    private final AtomicInteger builds = new AtomicInteger();
    private final List<String> log = new ArrayList<>();

    private final BaseModelCache.Builder builder = folder -> {
        builds.incrementAndGet();
        Files.writeString(folder.resolve("model.safetensors"), "weights " + builds.get());
        Files.writeString(folder.resolve("config.json"), "{}");
        return new PretrainReport(null, PretrainRecipe.quick(), "data", 100, 10, 1234, 1.5, 2.0, 3.0, 4.0, 2.0, null, null);
    };

    @Test
    void aMissingBaseIsBuiltOnceThenReused() throws IOException {
        BaseModelCache cache = new BaseModelCache(dir.resolve("decoder-base"), mapper);
        PretrainReport first = cache.ensure("k1", builder, log::add);
        assertThat(builds).hasValue(1);
        assertThat(log).containsExactly("building the base model: " + cache.folder("k1"));
        assertThat(first.key()).isEqualTo("k1");
        assertThat(first.filesSha256()).isEqualTo(BaseModelCache.filesDigest(cache.folder("k1")));
        assertThat(first.createdAt()).isNotNull();
        PretrainReport again = cache.ensure("k1", builder, log::add);
        assertThat(builds).as("served from the cache").hasValue(1);
        assertThat(again).isEqualTo(first);
        try (Stream<Path> left = Files.list(cache.root())) {
            assertThat(left).as("no staging folder or marker left").containsExactly(cache.folder("k1"));
        }
    }

    @Test
    void aChangedOrTruncatedFileIsDetectedAndRebuilt() throws IOException {
        BaseModelCache cache = new BaseModelCache(dir, mapper);
        PretrainReport first = cache.ensure("k1", builder, log::add);
        Path weights = cache.folder("k1").resolve("model.safetensors");
        Files.writeString(weights, "weights");
        String problem = cache.problem("k1");
        assertThat(problem).isEqualTo("its files hash to " + BaseModelCache.filesDigest(cache.folder("k1"))
                + ", not the recorded " + first.filesSha256() + " (changed or truncated)");
        PretrainReport rebuilt = cache.ensure("k1", builder, log::add);
        assertThat(builds).hasValue(2);
        assertThat(log.get(1)).isEqualTo("rebuilding the cached base model (" + problem + "): " + cache.folder("k1"));
        assertThat(Files.readString(weights)).isEqualTo("weights 2");
        assertThat(cache.problem("k1")).isNull();
        assertThat(rebuilt.filesSha256()).isNotEqualTo(first.filesSha256());
    }

    @Test
    void anEditedReportIsDetectedAndRebuilt() throws IOException {
        BaseModelCache cache = new BaseModelCache(dir, mapper);
        cache.ensure("k1", builder, log::add);
        Path report = cache.folder("k1").resolve(BaseModelCache.REPORT_FILE);
        Files.writeString(report, Files.readString(report).replaceFirst("\"parameters\"\\s*:\\s*\\d+", "\"parameters\": 42"));
        assertThat(Files.readString(report)).contains("\"parameters\": 42");
        assertThat(cache.problem("k1")).startsWith("pretraining.json hashes to ").endsWith(" (edited)");
        PretrainReport rebuilt = cache.ensure("k1", builder, log::add);
        assertThat(builds).hasValue(2);
        assertThat(rebuilt.parameters()).isNotEqualTo(42);
        assertThat(cache.problem("k1")).isNull();
        Files.delete(cache.folder("k1").resolve(BaseModelCache.REPORT_DIGEST_FILE));
        assertThat(cache.problem("k1")).isEqualTo("pretraining.json.sha256 is missing");
    }

    @Test
    void aBrokenOrForeignReportIsRebuilt() throws IOException {
        BaseModelCache cache = new BaseModelCache(dir, mapper);
        cache.ensure("k1", builder, log::add);
        Files.writeString(cache.folder("k1").resolve(BaseModelCache.REPORT_FILE), "{\"key\": ");
        assertThat(cache.problem("k1")).startsWith("pretraining.json cannot be read (");
        cache.ensure("k1", builder, log::add);
        assertThat(builds).hasValue(2);
        // a folder copied under another key is not trusted
        Files.move(cache.folder("k1"), cache.folder("k2"));
        assertThat(cache.problem("k2")).isEqualTo("pretraining.json names key k1");
        assertThat(cache.problem("k1")).isEqualTo("not built yet");
    }

    @Test
    void aFailedBuildLeavesNoFolder() throws IOException {
        BaseModelCache cache = new BaseModelCache(dir, mapper);
        assertThatThrownBy(() -> cache.ensure("k1", folder -> {
            Files.writeString(folder.resolve("model.safetensors"), "half");
            throw new IOException("disk full");
        }, log::add)).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(cache.problem("k1")).isEqualTo("not built yet");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
