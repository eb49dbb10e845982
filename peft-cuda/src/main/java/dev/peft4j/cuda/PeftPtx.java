package dev.peft4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The PTX of {@code src/main/cuda} (for sm_90), shipped as the resource {@value #RESOURCE}. Its
 * first line records the SHA-256 of the sources it was compiled from
 * ({@code // peft4j-source-sha256: <hex>}, see {@code scripts/build-ptx.sh}); the build fails
 * when the sources have changed since.
 */
public final class PeftPtx {

    /** The class-path resource. */
    public static final String RESOURCE = "/dev/peft4j/cuda/lora_kernels.ptx";
    /** The prefix of the PTX's first line, followed by the source hash. */
    public static final String HASH_PREFIX = "// peft4j-source-sha256: ";

    private PeftPtx() {
    }

    /**
     * @return the PTX text
     * @throws IllegalStateException if the resource is missing from the jar
     */
    public static String text() {
        try (InputStream in = PeftPtx.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the source hash recorded in the PTX's first line
     * @throws IllegalStateException if the first line carries no hash
     */
    public static String sourceHash() {
        String text = text();
        String first = text.substring(0, Math.max(text.indexOf('\n'), 0));
        if (!first.startsWith(HASH_PREFIX)) {
            throw new IllegalStateException("PTX resource " + RESOURCE + " does not start with '" + HASH_PREFIX + "'");
        }
        return first.substring(HASH_PREFIX.length()).trim();
    }
}
