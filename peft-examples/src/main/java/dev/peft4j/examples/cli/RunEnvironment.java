package dev.peft4j.examples.cli;

import ai.djl.engine.Engine;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.KernelProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
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
 * @param kernelProviders every installed {@link KernelProvider} (e.g. {@code cuda}), whether
 *     it can run here and, if not, why
 */
record RunEnvironment(String jdk, String djl, String engine, int cores, String os, String gitCommit,
        List<KernelStatus> kernelProviders) {

    /**
     * @param name the provider's name
     * @param available {@link KernelProvider#isAvailable()}
     * @param reason {@link KernelProvider#unavailableReason()}, empty when available
     */
    record KernelStatus(String name, boolean available, String reason) {
        static KernelStatus of(KernelProvider provider) {
            boolean available = provider.isAvailable();
            return new KernelStatus(provider.name(), available, available ? "" : provider.unavailableReason());
        }
    }

    /**
     * @param runtime the run's runtime; its {@link PeftRuntime#kernelProviders()} are recorded
     * @return this JVM's environment
     */
    static RunEnvironment capture(PeftRuntime runtime) {
        Engine engine = Engine.getInstance();
        return new RunEnvironment(
                Runtime.version().toString(),
                Engine.getDjlVersion(),
                engine.getEngineName() + " " + engine.getVersion(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                currentCommit(),
                kernelStatuses(runtime.kernelProviders()));
    }

    /** @return the providers' statuses, sorted by name */
    static List<KernelStatus> kernelStatuses(List<? extends KernelProvider> providers) {
        return providers.stream().map(KernelStatus::of).sorted(Comparator.comparing(KernelStatus::name)).toList();
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
