package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AtomicDirectory;
import dev.peft4j.examples.data.RepoRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The cache of pre-trained base decoders: {@code <root>/<key>/} ({@link BaseModelKey}), by default
 * {@code <repo>/.cache/peft4j/decoder-base/} (git-ignored; {@code $PEFT_CACHE_DIR/decoder-base/}
 * when set). A folder holds the model files and {@value #REPORT_FILE}, whose {@code files_sha256}
 * fingerprints every other file, and {@value #REPORT_DIGEST_FILE}, which fingerprints the report. It is written whole or not at all ({@link AtomicDirectory}: staged
 * beside the target, renamed in), and trusted only when its report names the same key and the
 * files still hash to the recorded digest; anything else (a truncated or edited file, a missing
 * report, an interrupted write) is reported and rebuilt.
 */
public final class BaseModelCache {

    /** The report inside a cached folder. */
    public static final String REPORT_FILE = "pretraining.json";

    /** The SHA-256 (hex) of {@value #REPORT_FILE}'s bytes, so an edited report is not trusted either. */
    public static final String REPORT_DIGEST_FILE = "pretraining.json.sha256";

    /** Environment variable naming the cache root's parent instead of {@code <repo>/.cache/peft4j}. */
    public static final String ENV = "PEFT_CACHE_DIR";

    /** Builds a base into an empty folder. */
    @FunctionalInterface
    public interface Builder {
        /**
         * @param folder the empty staging folder to write the model files into
         * @return the report, {@code files_sha256} and {@code created_at} left for the cache to fill
         * @throws IOException if writing fails
         */
        PretrainReport build(Path folder) throws IOException;
    }

    private final Path root;
    private final ObjectMapper mapper;

    /**
     * @param root the folder holding one sub-folder per key
     * @param mapper the runtime's snake_case mapper
     */
    public BaseModelCache(Path root, ObjectMapper mapper) {
        this.root = root.toAbsolutePath().normalize();
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * @param mapper the runtime's snake_case mapper
     * @return the cache under {@code $PEFT_CACHE_DIR/decoder-base} or {@code <repo>/.cache/peft4j/decoder-base}
     * @throws IllegalStateException when neither the variable nor a checkout is found
     */
    public static BaseModelCache standard(ObjectMapper mapper) {
        String env = System.getenv(ENV);
        Path parent = env != null && !env.isBlank() ? Path.of(env)
                : RepoRoot.find().map(repo -> repo.resolve(".cache").resolve("peft4j")).orElseThrow(() -> new IllegalStateException(
                        "no peft4j checkout found for the base-model cache; set " + ENV + " or pass -D" + RepoRoot.PROPERTY));
        return new BaseModelCache(parent.resolve("decoder-base"), mapper);
    }

    /** @return the folder holding one sub-folder per key */
    public Path root() {
        return root;
    }

    /**
     * @param key a cache key
     * @return {@code <root>/<key>}
     */
    public Path folder(String key) {
        return root.resolve(key);
    }

    /**
     * Checks a cached base.
     *
     * @param key the key wanted
     * @return {@code null} when the folder is whole and matches, else why not (a phrase)
     * @throws IOException if recovering an interrupted write fails
     */
    public String problem(String key) throws IOException {
        Path folder = folder(key);
        AtomicDirectory.recover(folder);
        if (!Files.isDirectory(folder)) {
            return "not built yet";
        }
        Path reportFile = folder.resolve(REPORT_FILE);
        PretrainReport report;
        try {
            report = mapper.readValue(reportFile.toFile(), PretrainReport.class);
        } catch (IOException e) {
            return REPORT_FILE + " cannot be read (" + firstLine(e) + ")";
        }
        if (!key.equals(report.key())) {
            return REPORT_FILE + " names key " + report.key();
        }
        String digest = filesDigest(folder);
        if (!digest.equals(report.filesSha256())) {
            return "its files hash to " + digest + ", not the recorded " + report.filesSha256() + " (changed or truncated)";
        }
        Path reportDigestFile = folder.resolve(REPORT_DIGEST_FILE);
        if (!Files.isRegularFile(reportDigestFile)) {
            return REPORT_DIGEST_FILE + " is missing";
        }
        String reportDigest = reportDigest(reportFile);
        String recorded = Files.readString(reportDigestFile, StandardCharsets.UTF_8).strip();
        if (!reportDigest.equals(recorded)) {
            return REPORT_FILE + " hashes to " + reportDigest + ", not the recorded " + recorded + " (edited)";
        }
        return null;
    }

    /**
     * Returns the cached base of {@code key}, building it first when it is missing or damaged.
     *
     * @param key the key
     * @param builder trains and writes a base
     * @param log receives one line when the cache is built or rebuilt, and why
     * @return the report of the base in {@link #folder(String)}
     * @throws IOException if the folder cannot be written
     */
    public PretrainReport ensure(String key, Builder builder, Consumer<String> log) throws IOException {
        String problem = problem(key);
        if (problem == null) {
            return read(key);
        }
        log.accept((problem.equals("not built yet") ? "building the base model: " : "rebuilding the cached base model ("
                + problem + "): ") + folder(key));
        AtomicDirectory.write(folder(key), staging -> {
            PretrainReport built = builder.build(staging);
            String digest = filesDigest(staging);
            PretrainReport report = new PretrainReport(key, built.recipe(), built.dataDigest(), built.trainTokens(),
                    built.heldOutTokens(), built.parameters(), built.wallSeconds(), built.medianStepMillis(),
                    built.finalTrainLoss(), built.heldOutPerplexity(), built.heldOutBitsPerByte(), digest,
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            Path reportFile = staging.resolve(REPORT_FILE);
            Files.write(reportFile, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
            Files.writeString(staging.resolve(REPORT_DIGEST_FILE), reportDigest(reportFile) + "\n", StandardCharsets.UTF_8);
        });
        String after = problem(key);
        if (after != null) {
            throw new IOException("the base model just written to " + folder(key) + " does not verify: " + after);
        }
        return read(key);
    }

    private static String reportDigest(Path reportFile) throws IOException {
        return HexFormat.of().formatHex(BaseModelKey.sha256().digest(Files.readAllBytes(reportFile)));
    }

    private PretrainReport read(String key) throws IOException {
        return mapper.readValue(folder(key).resolve(REPORT_FILE).toFile(), PretrainReport.class);
    }

    /**
     * SHA-256 (hex) over every regular file of {@code folder} except {@value #REPORT_FILE}, in name
     * order, each as its name and bytes.
     *
     * @param folder a flat folder
     * @return the digest
     * @throws IOException if a file cannot be read
     */
    public static String filesDigest(Path folder) throws IOException {
        MessageDigest digest = BaseModelKey.sha256();
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals(REPORT_FILE) && !f.getFileName().toString().equals(REPORT_DIGEST_FILE))
                    .sorted().toList();
        }
        byte[] buffer = new byte[1 << 16];
        for (Path file : files) {
            digest.update((file.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
