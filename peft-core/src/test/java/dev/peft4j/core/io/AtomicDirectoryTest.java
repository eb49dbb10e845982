package dev.peft4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicDirectoryTest {

    @Test
    void replacesAFolderAsAWholeAndLeavesNothingBeside(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> {
            Files.writeString(f.resolve("a.txt"), "old");
            Files.writeString(f.resolve("stale.txt"), "old");
        });
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "new"));
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("new");
        assertThat(target.resolve("stale.txt")).doesNotExist();
        try (var list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("adapter");
        }
    }

    @Test
    void aFailingWriterLeavesTheOldFolder(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "old"));
        assertThatThrownBy(() -> AtomicDirectory.write(target, f -> {
            Files.writeString(f.resolve("a.txt"), "half");
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("old");
        assertThat(AtomicDirectory.staging(target)).doesNotExist();
    }

    @Test
    void recoveryDropsAnIncompleteStagingFolder(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "old"));
        Files.createDirectory(AtomicDirectory.staging(target));
        Files.writeString(AtomicDirectory.staging(target).resolve("a.txt"), "ha");
        AtomicDirectory.recover(target);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("old");
        assertThat(AtomicDirectory.staging(target)).doesNotExist();
    }

    @Test
    void recoveryRenamesInTheCompleteStagingFolderWhenTheOldOneWasMovedAside(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "old"));
        Files.move(target, AtomicDirectory.aside(target));
        Files.createDirectory(AtomicDirectory.staging(target));
        Files.writeString(AtomicDirectory.staging(target).resolve("a.txt"), "new");
        Files.createFile(AtomicDirectory.completionMarker(target));
        AtomicDirectory.recover(target);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("new");
        assertThat(AtomicDirectory.aside(target)).doesNotExist();
        assertThat(AtomicDirectory.completionMarker(target)).doesNotExist();
    }

    @Test
    void recoveryRestoresTheAsideFolderWhenTheStagingFolderHasNoCompletionMarker(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> {
            Files.writeString(f.resolve("a.txt"), "old");
            Files.writeString(f.resolve("b.txt"), "old");
        });
        Files.move(target, AtomicDirectory.aside(target));
        Files.createDirectory(AtomicDirectory.staging(target));
        Files.writeString(AtomicDirectory.staging(target).resolve("a.txt"), "new");
        AtomicDirectory.recover(target);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("old");
        assertThat(Files.readString(target.resolve("b.txt"))).isEqualTo("old");
        assertThat(AtomicDirectory.staging(target)).doesNotExist();
        assertThat(AtomicDirectory.aside(target)).doesNotExist();
    }

    @Test
    void aWriteLeavesNoCompletionMarker(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "old"));
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "new"));
        try (var list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("adapter");
        }
    }

    @Test
    void foldersAndFilesGetTheUmasksModesLikeAPlainlyCreatedOne(@TempDir Path dir) throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file modes only");
        Path target = dir.resolve("step-4");
        AtomicDirectory.write(target, f -> AtomicFiles.write(f.resolve("adapter_config.json"), new byte[] {'{', '}'}));
        Path plainFolder = Files.createDirectory(dir.resolve("plain"));
        Path plainFile = Files.createFile(plainFolder.resolve("plain.json"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(plainFolder)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("adapter_config.json"))))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(plainFile)));
    }

    @Test
    void recoveryRestoresTheAsideFolderAlone(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "old"));
        Files.move(target, AtomicDirectory.aside(target));
        AtomicDirectory.recover(target);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("old");
    }

    @Test
    void recoveryDeletesAnAsideFolderLeftNextToTheNewOne(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("adapter");
        AtomicDirectory.write(target, f -> Files.writeString(f.resolve("a.txt"), "new"));
        Files.createDirectory(AtomicDirectory.aside(target));
        Files.writeString(AtomicDirectory.aside(target).resolve("a.txt"), "old");
        AtomicDirectory.recover(target);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("new");
        assertThat(AtomicDirectory.aside(target)).doesNotExist();
    }

    @Test
    void adapterCheckpointRoundTripAndMissingFiles(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("a");
        var tensors = Map.of("base_model.model.x.weight", new HostTensor(new long[] {2}, new float[] {1, 2}));
        long bytes = AdapterCheckpoint.write(target, "{\"peft_type\": \"LORA\"}", tensors, Map.of("format", "pt"));
        var read = AdapterCheckpoint.read(target);
        assertThat(read.configJson()).isEqualTo("{\"peft_type\": \"LORA\"}");
        assertThat(read.weights().tensors()).isEqualTo(tensors);
        assertThat(bytes).isEqualTo(Files.size(target.resolve(AdapterCheckpoint.WEIGHTS_FILE)) + 21);
        Files.delete(target.resolve(AdapterCheckpoint.WEIGHTS_FILE));
        assertThatThrownBy(() -> AdapterCheckpoint.read(target)).isInstanceOf(FileNotFoundException.class)
                .hasMessage("no adapter checkpoint in " + target + ": adapter_model.safetensors is missing");
        assertThatThrownBy(() -> AdapterCheckpoint.read(dir.resolve("none"))).isInstanceOf(FileNotFoundException.class)
                .hasMessage("no adapter checkpoint at " + dir.resolve("none") + ": the folder does not exist");
    }

    @Test
    void namesAndPathsCannotLeaveTheOutputFolder(@TempDir Path dir) {
        assertThat(CheckpointPaths.requireAdapterName("sentiment-v2_1")).isEqualTo("sentiment-v2_1");
        for (String bad : new String[] {"..", "../x", "/abs", "a/b", "a.b", ""}) {
            assertThatThrownBy(() -> CheckpointPaths.requireAdapterName(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter name '" + bad + "' is not allowed; use letters, digits, '_' and '-' (it names a"
                            + " sub-folder of the output folder and a module path segment)");
        }
        assertThat(CheckpointPaths.resolveInside(dir, "adapters/sentiment", "subfolder"))
                .isEqualTo(dir.toAbsolutePath().normalize().resolve("adapters/sentiment"));
        for (String bad : new String[] {"../x", "/etc", "a/../../b", ".."}) {
            assertThatThrownBy(() -> CheckpointPaths.resolveInside(dir, bad, "subfolder"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subfolder '" + bad + "' must stay inside " + dir + ": absolute paths and '..' are not allowed");
        }
    }
}
