package dev.peft4j.examples.cli;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Where a run happened, recorded in {@code results.json}.
 *
 * @param jdk the Java runtime version
 * @param djl the DJL version
 * @param engine the DJL engine and its version (e.g. {@code PyTorch 2.7.1})
 * @param cores available processors
 * @param os operating system and architecture
 * @param gitCommit the checkout's commit, or {@code unknown}
 */
record RunEnvironment(String jdk, String djl, String engine, int cores, String os, String gitCommit) {

    static RunEnvironment capture() {
        Engine engine = Engine.getInstance();
        return new RunEnvironment(
                Runtime.version().toString(),
                Engine.getDjlVersion(),
                engine.getEngineName() + " " + engine.getVersion(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                currentCommit());
    }

    private static String currentCommit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
