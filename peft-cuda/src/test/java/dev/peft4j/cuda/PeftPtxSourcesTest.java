package dev.peft4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped PTX was compiled from the CUDA sources as they are now (the source hash in its first
 * line, computed as {@code scripts/build-ptx.sh} does), and defines every kernel peft-cuda launches.
 */
class PeftPtxSourcesTest {

    static final List<String> KERNELS = List.of("lora_shrink", "lora_expand", "lora_outer", "bgmv_shrink",
            "bgmv_expand", "sgmv_shrink", "sgmv_expand");

    @Test
    void thePtxCarriesTheHashOfTheCurrentSources() throws Exception {
        Path cuda = Path.of(System.getProperty("peft.cuda.module", ".")).resolve("src/main/cuda");
        assertThat(PeftPtx.sourceHash())
                .as("src/main/cuda changed since the PTX was built: run peft-cuda/scripts/build-ptx.sh (needs nvcc) and commit the PTX")
                .isEqualTo(sourceHash(cuda));
    }

    @Test
    void thePtxDefinesEveryKernelForSm90() {
        String ptx = PeftPtx.text();
        assertThat(ptx).contains(".target sm_90");
        for (String kernel : KERNELS) {
            for (DType type : DType.values()) {
                assertThat(ptx).contains(".entry peft_" + kernel + "_" + type.suffix() + "(");
            }
        }
    }

    static String sourceHash(Path cuda) throws IOException, NoSuchAlgorithmException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("nvcc -ptx -arch=sm_90 -O3\n".getBytes(StandardCharsets.UTF_8));
        List<Path> files;
        try (Stream<Path> listing = Files.list(cuda)) {
            files = listing.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh"))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        for (Path file : files) {
            bytes.writeBytes((file.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
            for (byte b : Files.readAllBytes(file)) {
                if (b != '\r') {
                    bytes.write(b);
                }
            }
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    }
}
