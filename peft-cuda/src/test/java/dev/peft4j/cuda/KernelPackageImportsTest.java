package dev.peft4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel package and the GPU check's test packages use the JDK only, so the GPU bundle runs
 * them without DJL or peft-core; only {@code dev.peft4j.cuda.provider} (left out of the bundle)
 * may import peft-core.
 */
class KernelPackageImportsTest {

    private static final String IMPORT = "import" + " ";
    private static final Path MODULE = Path.of(System.getProperty("peft.cuda.module", "."));

    @Test
    void kernelSourcesImportNeitherDjlNorPeftCore() throws IOException {
        assertJdkOnly(MODULE.resolve("src/main/java/dev/peft4j/cuda"), false);
        assertJdkOnly(MODULE.resolve("src/test/java/dev/peft4j/cuda"), true);
    }

    private static void assertJdkOnly(Path root, boolean test) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !root.relativize(p).startsWith("provider") && !root.relativize(p).startsWith("djl"))
                    .toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            String source = Files.readString(file);
            for (String forbidden : List.of("ai.djl", "dev.peft4j.core", "com.google", "org.slf4j")) {
                assertThat(source).as(file.toString()).doesNotContain(IMPORT + forbidden);
            }
            boolean bundled = root.relativize(file).startsWith("check") || root.relativize(file).startsWith("reference")
                    || file.getFileName().toString().equals("KernelCheckGpuTest.java");
            if (test && bundled) {
                // the bundle carries JUnit's console launcher, not AssertJ
                assertThat(source).as(file.toString()).doesNotContain(IMPORT + "org.assertj");
            }
        }
    }
}
