package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** NIO exceptions whose message is only a path become sentences that say what went wrong. */
class IoErrorsTest {

    @Test
    void aBarePathBecomesAReason() {
        IOException wrapped = IoErrors.cannotWrite(Path.of("/tmp/x/out"), new FileAlreadyExistsException("/tmp/x/out/afile"));
        assertThat(wrapped).hasMessage("cannot write to /tmp/x/out: /tmp/x/out/afile exists and is not a folder");
        assertThat(IoErrors.reason(new AccessDeniedException("/root/out"))).isEqualTo("/root/out is not writable (permission denied)");
        assertThat(IoErrors.reason(new IOException("No space left on device"))).isEqualTo("No space left on device");
    }

    @Test
    void aMissingFileIsSaidToBeMissing() {
        assertThat(IoErrors.reason(new java.nio.file.NoSuchFileException("/tmp/x/gone"))).isEqualTo("/tmp/x/gone does not exist");
    }
}
