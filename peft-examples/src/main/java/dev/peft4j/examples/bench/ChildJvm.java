package dev.peft4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs one measurement in its own JVM, as ARCHITECTURE.md requires: freed native memory is rarely
 * returned to the OS, so a second run's peak in the same process means nothing. The child gets this
 * JVM's class path and Java binary, a pinned heap ({@code -Xms} = {@code -Xmx}) touched at start
 * ({@code -XX:+AlwaysPreTouch}), so heap growth never shows as resident memory, and
 * {@code MALLOC_ARENA_MAX=2}, so glibc does not spread native allocations over per-thread arenas, and
 * a fixed {@code MALLOC_MMAP_THRESHOLD_} of 128 KiB: every tensor-sized block is then its own
 * mapping, returned to the OS when freed. (Left dynamic, glibc raises the threshold after the first
 * large free and serves later tensors from its heap, where freed memory stays resident and
 * fragments: a MiniLM run then peaks 25% above the memory it ever holds at once, depending on the
 * order of batch lengths.)
 * DJL starts offline ({@code DJL_OFFLINE}, {@code OPT_OUT_TRACKING}). The child reports one JSON
 * object through {@link ChildReport#emit}; {@link #run()} returns it.
 *
 * <pre>{@code
 * ChildJvm.Result result = ChildJvm.builder(MemoryProbe.class).optHeap("1g").optArgs(List.of("--method", "lora")).build().run();
 * long peak = result.report().get("peak_rss_bytes").asLong();
 * }</pre>
 */
public final class ChildJvm {

    /** glibc's mmap threshold in the child, bytes (its default, but fixed). */
    public static final int MMAP_THRESHOLD = 128 * 1024;

    private final List<String> command;
    private final Map<String, String> environment;
    private final Duration timeout;

    private ChildJvm(Builder builder) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-Xms" + builder.heap);
        cmd.add("-Xmx" + builder.heap);
        cmd.add("-XX:+AlwaysPreTouch");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--sun-misc-unsafe-memory-access=allow");
        builder.systemProperties.forEach((key, value) -> cmd.add("-D" + key + "=" + value));
        cmd.addAll(builder.jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(builder.mainClass.getName());
        cmd.addAll(builder.args);
        this.command = List.copyOf(cmd);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MALLOC_ARENA_MAX", "2");
        env.put("MALLOC_MMAP_THRESHOLD_", Integer.toString(MMAP_THRESHOLD));
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        env.putAll(builder.environment);
        this.environment = Map.copyOf(env);
        this.timeout = builder.timeout;
    }

    /**
     * @param mainClass the class whose {@code main} the child runs; it must call {@link ChildReport#emit}
     * @return a builder
     */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass);
    }

    /** @return the command line the child is started with */
    public List<String> command() {
        return command;
    }

    /** @return the environment variables set for the child on top of this JVM's */
    public Map<String, String> environment() {
        return environment;
    }

    /** @return how long the child may run */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Starts the child, waits for it and reads its report.
     *
     * @return the exit status, the report and the end of the child's output
     * @throws IOException if the child cannot be started, times out (it is killed), exits with a
     *     non-zero status or reports nothing; the message carries the end of its output
     * @throws InterruptedException if interrupted while waiting (the child is killed)
     */
    public Result run() throws IOException, InterruptedException {
        Path log = Files.createTempFile("peft-child-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IOException("child JVM timed out after " + timeout.toSeconds() + " s; output ends:\n" + tail(log));
                }
            } finally {
                if (process.isAlive()) {
                    process.destroyForcibly().waitFor();
                }
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            JsonNode report = null;
            for (String line : lines) {
                if (line.startsWith(ChildReport.MARKER)) {
                    report = new ObjectMapper().readTree(line.substring(ChildReport.MARKER.length()));
                }
            }
            if (process.exitValue() != 0 || report == null) {
                throw new IOException("child JVM " + (process.exitValue() != 0 ? "exited with status " + process.exitValue()
                        : "reported nothing") + "; output ends:\n" + tail(log));
            }
            return new Result(process.exitValue(), report, tail(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * What a child run gave back.
     *
     * @param exitCode the child's exit status (0)
     * @param report the JSON object the child emitted
     * @param outputTail the last 20 lines of its output
     */
    public record Result(int exitCode, JsonNode report, String outputTail) {}

    /** Builds a {@link ChildJvm}: heap 1g, 10 minutes, no arguments by default. */
    public static final class Builder {
        private final Class<?> mainClass;
        private String heap = "1g";
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private Duration timeout = Duration.ofMinutes(10);

        private Builder(Class<?> mainClass) {
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
            for (String key : List.of("peft.repo", "ai.djl.pytorch.num_threads")) {
                String value = System.getProperty(key);
                if (value != null) {
                    systemProperties.put(key, value);
                }
            }
        }

        /**
         * @param size the pinned heap, a {@code -Xmx} value ({@code 512m}, {@code 1g})
         * @return this builder
         * @throws IllegalArgumentException if the size is not of that form
         */
        public Builder optHeap(String size) {
            if (size == null || !size.matches("\\d+[kKmMgG]?")) {
                throw new IllegalArgumentException("heap size must look like 512m or 1g, got '" + size + "'");
            }
            this.heap = size;
            return this;
        }

        /** @param key a system property @param value its value @return this builder */
        public Builder optSystemProperty(String key, String value) {
            systemProperties.put(key, value);
            return this;
        }

        /** @param arg an extra JVM option @return this builder */
        public Builder optJvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /** @param key an environment variable @param value its value @return this builder */
        public Builder optEnv(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** @param values the child's program arguments @return this builder */
        public Builder optArgs(List<String> values) {
            args.addAll(values);
            return this;
        }

        /** @param value how long the child may run @return this builder */
        public Builder optTimeout(Duration value) {
            this.timeout = Objects.requireNonNull(value, "timeout");
            return this;
        }

        /** @return the runner */
        public ChildJvm build() {
            return new ChildJvm(this);
        }
    }
}
