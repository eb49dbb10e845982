package dev.peft4j.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.GuiceContributor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SPI a method author implements may refer only to the JDK, the DJL API, jackson-annotations
 * and itself — never Guice or jackson-databind (ARCHITECTURE.md, {@code core.spi}). Checked on
 * the compiled classes, so imports, fully qualified names, signatures and annotations all count.
 */
class SpiImportRuleTest {

    static final List<String> ALLOWED = List.of("java/", "ai/djl/", "com/fasterxml/jackson/annotation/", "dev/peft4j/core/spi/");

    @Test
    void spiClassesReferOnlyToAllowedPackages() throws IOException, URISyntaxException {
        Path spi = Path.of(PeftConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/peft4j/core/spi");
        Map<String, List<String>> violations = new LinkedHashMap<>();
        List<Path> classes;
        try (Stream<Path> files = Files.walk(spi)) {
            classes = files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
        }
        for (Path file : classes) {
            List<String> forbidden = ClassReferences.forbidden(Files.readAllBytes(file), ALLOWED);
            if (!forbidden.isEmpty()) {
                violations.put(spi.relativize(file).toString(), forbidden);
            }
        }
        assertThat(classes).extracting(f -> f.getFileName().toString())
                .contains("PeftConfig.class", "PeftMethod.class", "PeftMethodProvider.class", "KernelProvider.class",
                        "AdaptableModel.class", "AdapterSwitch.class");
        assertThat(violations).as("core.spi may refer only to %s", ALLOWED).isEmpty();
    }

    @Test
    void findsGuiceInARuntimeInterface() throws IOException {
        assertThat(ClassReferences.forbidden(bytes(GuiceContributor.class), ALLOWED))
                .containsExactly("com.google.inject.Module", "dev.peft4j.core.runtime.GuiceContributor");
    }

    @Test
    void findsDatabindInGenericSignaturesOnly() throws IOException {
        assertThat(ClassReferences.forbidden(bytes(SignatureOnly.class), ALLOWED))
                .contains("com.fasterxml.jackson.databind.ObjectMapper");
        assertThat(ClassReferences.forbidden(bytes(ArrayOnly.class), ALLOWED))
                .containsExactly("com.google.inject.Injector");
    }

    @Test
    void acceptsAnnotationsAndIgnoresStringLiterals() throws IOException {
        assertThat(ClassReferences.of(bytes(PeftConfig.class))).contains("com/fasterxml/jackson/annotation/JsonTypeInfo");
        assertThat(ClassReferences.forbidden(bytes(PeftConfig.class), ALLOWED)).isEmpty();
        assertThat(ClassReferences.of(bytes(LiteralOnly.class))).noneMatch(name -> name.startsWith("com/google"));
    }

    private static byte[] bytes(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    /** Erases to {@code List}; only its {@code Signature} attribute names the mapper. */
    static final class SignatureOnly {
        List<ObjectMapper> mappers = new ArrayList<>();
    }

    /** Refers to Guice only through an array field descriptor. */
    static final class ArrayOnly {
        com.google.inject.Injector[] injectors;
    }

    /** Mentions Guice only in a string. */
    static final class LiteralOnly {
        static final String TEXT = "Lcom/google/inject/Injector;";
    }
}
