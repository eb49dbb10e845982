package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.examples.bench.ChildJvm;
import dev.peft4j.examples.bench.ChildReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one method's child JVM ({@link MethodChild}) and turns whatever happens into a
 * {@link MethodResult}: its report when it sent one, otherwise {@link MethodResult#failed} with the
 * reason (timed out and killed, exited with a status or a signal without a report). Every line the
 * child prints goes to {@code <method>/child.log}; {@link ProgressLine}s also go to the listener,
 * as they arrive.
 */
public final class MethodProcess {

    /** The child's output inside the method's folder. */
    static final String LOG_FILE = "child.log";

    /** Receives the child's progress. */
    public interface Listener {
        /**
         * @param done updates taken
         * @param total updates planned
         */
        void progress(long done, long total);
    }

    /**
     * Turns the child's report line, or the reason it gave none, into a result of type {@code R}
     * (the comparison's {@link MethodResult}, {@code peft compare-lm}'s own row).
     *
     * @param <R> the result type
     */
    public interface Outcomes<R> {
        /**
         * @param json the JSON after {@link ChildReport#MARKER}
         * @return the result it holds
         * @throws com.fasterxml.jackson.core.JsonProcessingException if it is not a result
         */
        R parse(String json) throws com.fasterxml.jackson.core.JsonProcessingException;

        /**
         * @param reason why there is no result
         * @return a failed result carrying the reason
         */
        R failed(String reason);
    }

    private MethodProcess() {}

    /**
     * @param plan the method
     * @param jvm the child's command line, environment and timeout
     * @param folder the method's folder (for the log)
     * @param mapper the strict snake_case mapper
     * @param listener receives progress
     * @return the child's result, or a failed one with the reason
     * @throws IOException if the child cannot be started or its log not written
     * @throws InterruptedException if interrupted while waiting (the child is killed)
     */
    static MethodResult run(MethodPlan plan, ChildJvm jvm, Path folder, ObjectMapper mapper, Listener listener)
            throws IOException, InterruptedException {
        return run(plan.alias(), jvm, folder, listener, new Outcomes<>() {
            @Override
            public MethodResult parse(String json) throws com.fasterxml.jackson.core.JsonProcessingException {
                return mapper.readValue(json, MethodResult.class);
            }

            @Override
            public MethodResult failed(String reason) {
                return MethodResult.failed(plan.alias(), plan.peftType(), reason);
            }
        });
    }

    /**
     * Runs one child JVM as {@link #run(MethodPlan, ChildJvm, Path, ObjectMapper, Listener)} does,
     * for any result type.
     *
     * @param alias the method's name (threads, the log's hint)
     * @param jvm the child's command line, environment and timeout
     * @param folder the method's folder (for the log)
     * @param listener receives progress
     * @param outcomes reads the report or makes the failed result
     * @param <R> the result type
     * @return the child's result, or a failed one with the reason
     * @throws IOException if the child cannot be started or its log not written
     * @throws InterruptedException if interrupted while waiting (the child is killed)
     */
    public static <R> R run(String alias, ChildJvm jvm, Path folder, Listener listener, Outcomes<R> outcomes)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(jvm.command()).redirectErrorStream(true);
        builder.environment().putAll(jvm.environment());
        Process process = builder.start();
        // a parent stopped by Ctrl-C or kill takes its child with it
        Thread killChild = new Thread(process::destroyForcibly, "peft-compare-kill-" + alias);
        Runtime.getRuntime().addShutdownHook(killChild);
        Deque<String> tail = new ArrayDeque<>();
        AtomicReference<String> report = new AtomicReference<>();
        AtomicReference<IOException> logError = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().daemon().name("peft-compare-" + alias).start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    Writer log = Files.newBufferedWriter(folder.resolve(LOG_FILE), StandardCharsets.UTF_8)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    log.write(line);
                    log.write('\n');
                    log.flush();
                    long[] progress = ProgressLine.parse(line);
                    if (progress != null) {
                        listener.progress(progress[0], progress[1]);
                    } else if (line.startsWith(ChildReport.MARKER)) {
                        report.set(line.substring(ChildReport.MARKER.length()));
                    } else {
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > 20) {
                                tail.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                logError.set(e);
            }
        });
        long timeoutMillis = jvm.timeout().toMillis();
        boolean finished;
        try {
            finished = process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killChild);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        reader.join(10_000);
        if (logError.get() != null) {
            throw logError.get();
        }
        if (!finished) {
            long seconds = jvm.timeout().toSeconds();
            return outcomes.failed("timed out after "
                    + (seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s") + " (method_timeout_minutes) and was killed");
        }
        if (report.get() != null) {
            try {
                return outcomes.parse(report.get());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                String problem = e.getOriginalMessage();
                return outcomes.failed("the child JVM's report cannot be read: "
                        + problem.lines().findFirst().orElse(problem));
            }
        }
        int status = process.exitValue();
        String lastLine;
        synchronized (tail) {
            lastLine = tail.isEmpty() ? "no output" : "last output: " + tail.getLast();
        }
        String how = status > 128 ? "was killed by signal " + (status - 128) : "exited with status " + status;
        return outcomes.failed("child JVM " + how + " without a result; " + lastLine
                + " (see " + alias + "/" + LOG_FILE + ")");
    }
}
