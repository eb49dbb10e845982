package dev.peft4j.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.cuda.check.KernelCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The GPU check: every kernel on a real driver ({@link CudaDriver#configuredLibrary()}, normally
 * {@code libcuda.so.1}) against the float64 reference on fresh random inputs (the seed is printed).
 * Skipped, with the reason, where the driver cannot run the kernels. Sizes: the benchmark's shape
 * (4096 tokens, hidden 4096, rank 16, 4 adapters) plus a ragged one; {@code -Dpeft.cuda.check.sizes=small}
 * (the bundle's {@code PEFT_CHECK_SIZES=small}) uses small ones, for a run on the fake driver.
 * With {@code -Dpeft.cuda.check.out=DIR} the results are also written to {@code DIR/correctness.tsv}.
 */
class KernelCheckGpuTest {

    @Test
    void everyKernelMatchesTheFloat64Reference() throws IOException {
        CudaAvailability availability = CudaAvailability.probe(CudaDriver.configuredLibrary());
        Assumptions.assumeTrue(availability.available(), () -> "no usable CUDA driver: " + availability.reason());
        long seed = Long.getLong("peft.cuda.check.seed", System.nanoTime());
        System.out.println("kernel check on " + availability.device() + " (driver " + availability.driverVersion()
                + ", " + availability.library() + "), input seed " + seed);
        List<KernelCheck.Sizes> rounds = "small".equals(System.getProperty("peft.cuda.check.sizes"))
                ? List.of(new KernelCheck.Sizes(37, 200, 96, 16, 3), new KernelCheck.Sizes(5, 96, 300, 20, 2))
                : List.of(new KernelCheck.Sizes(4096, 4096, 4096, 16, 4), new KernelCheck.Sizes(1000, 1000, 3000, 20, 3));
        List<KernelCheck.Result> results = new ArrayList<>();
        try (CudaContext context = CudaContext.open(CudaDriver.load(availability.library()), 0)) {
            KernelCheck check = new KernelCheck(context, seed);
            for (KernelCheck.Sizes sizes : rounds) {
                for (KernelCheck.Result result : check.run(sizes)) {
                    System.out.println(result.tsv());
                    results.add(result);
                }
            }
            assertTrue(context.openBuffers() == 0, "device buffers left open: " + context.openBuffers());
        }
        String out = System.getProperty("peft.cuda.check.out");
        if (out != null) {
            List<String> lines = new ArrayList<>();
            lines.add("# device\t" + availability.device() + "\tdriver\t" + availability.driverVersion() + "\tseed\t" + seed);
            results.forEach(r -> lines.add(r.tsv()));
            Files.createDirectories(Path.of(out));
            Files.write(Path.of(out, "correctness.tsv"), lines);
        }
        List<String> failed = results.stream().filter(r -> !r.passed()).map(KernelCheck.Result::tsv).toList();
        assertTrue(failed.isEmpty(), () -> "kernels outside tolerance (seed " + seed + "):\n" + String.join("\n", failed));
    }
}
