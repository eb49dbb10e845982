package dev.peft4j.core.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    private static Map<String, HostTensor> tensors(boolean reversed) {
        Map<String, HostTensor> map = new LinkedHashMap<>();
        List<String> names = reversed ? List.of("c", "b", "a") : List.of("a", "b", "c");
        for (String name : names) {
            map.put(name, switch (name) {
                case "a" -> new HostTensor(new long[] {}, new float[] {-0.5f});
                case "b" -> new HostTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, Float.NaN});
                default -> new HostTensor(new long[] {0, 4}, new float[0]);
            });
        }
        return map;
    }

    @Test
    void writesAndReadsBackTensorsAndMetadata() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors(true), Map.of("format", "pt"));

        SafetensorsFile read = SafetensorsReader.read(file);

        assertThat(read.tensors()).containsExactlyEntriesOf(tensors(false));
        assertThat(read.metadata()).containsExactlyEntriesOf(Map.of("format", "pt"));
    }

    @Test
    void layoutIsSortedByNameAlignedAndExact() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors(true), Map.of("format", "pt"));

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);

        assertThat(headerLength % 8).isZero();
        assertThat(header.stripTrailing()).isEqualTo("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[4,28]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[28,28]}}");
        assertThat(bytes).hasSize(8 + (int) headerLength + 28);
        assertThat(ByteBuffer.wrap(bytes, 8 + (int) headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat())
                .isEqualTo(-0.5f);
    }

    @Test
    void outputDoesNotDependOnMapOrder() throws IOException {
        Path first = dir.resolve("first.safetensors");
        Path second = dir.resolve("second.safetensors");
        SafetensorsWriter.write(first, tensors(false));
        SafetensorsWriter.write(second, tensors(true));

        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void headerOnlyReadListsEntriesInOffsetOrder() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors(false));

        SafetensorsHeader header = SafetensorsReader.readHeader(file);

        assertThat(header.entries()).extracting(SafetensorsEntry::name).containsExactly("a", "b", "c");
        assertThat(header.entries().get(1)).isEqualTo(
                new SafetensorsEntry("b", SafetensorsDtype.F32, new long[] {2, 3}, 4, 28));
        assertThat(header.metadata()).isEmpty();
    }

    @Test
    void largeTensorCrossesChunkBoundaries() throws IOException {
        float[] values = new float[(1 << 20) / 4 * 3 + 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f;
        }
        HostTensor big = new HostTensor(new long[] {values.length}, values);
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, Map.of("big", big));

        assertThat(SafetensorsReader.read(file).tensors().get("big")).isEqualTo(big);
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old content");

        SafetensorsWriter.write(file, tensors(false));

        assertThat(SafetensorsReader.read(file).tensors()).hasSize(3);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void rejectedWriteLeavesTheOldFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old content");
        Map<String, HostTensor> reserved = Map.of("__metadata__", new HostTensor(new long[] {1}, new float[1]));

        assertThatThrownBy(() -> SafetensorsWriter.write(file, reserved))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor name '__metadata__' is reserved for the safetensors metadata");
        assertThat(Files.readString(file)).isEqualTo("old content");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writeIntoAMissingDirectoryFails() {
        Path file = dir.resolve("missing/model.safetensors");

        assertThatThrownBy(() -> SafetensorsWriter.write(file, tensors(false))).isInstanceOf(IOException.class);
        assertThat(file.getParent()).doesNotExist();
    }
}
