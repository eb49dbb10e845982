package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guice locates constructor injection points by reading class files with ASM. Guice 7's shaded ASM
 * 9.5 cannot read Java 25 class files, so errors lose their {@code File.java:NN}; the build uses the
 * unshaded Guice with ASM 9.11 (ARCHITECTURE.md). This test fails if that regresses.
 */
class GuiceSourceLocationTest {

    interface Missing {}

    static final class Needy {
        @Inject Needy(Missing missing) {} // line-marker: Needy constructor
    }

    @Test
    void errorsNameTheSourceFileAndLine() throws IOException {
        ConfigurationException error = catchThrowableOfType(ConfigurationException.class,
                () -> Guice.createInjector().getInstance(Needy.class));
        assertThat(error.getMessage())
                .contains("GuiceSourceLocationTest$Needy.<init>(GuiceSourceLocationTest.java:" + markerLine() + ")");
    }

    private static int markerLine() throws IOException {
        Path source = Path.of("src/test/java", GuiceSourceLocationTest.class.getName().replace('.', '/') + ".java");
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("// line-marker: Needy constructor")) {
                return i + 1;
            }
        }
        throw new AssertionError("marker not found in " + source);
    }
}
