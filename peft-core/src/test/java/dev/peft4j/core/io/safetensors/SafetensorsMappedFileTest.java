package dev.peft4j.core.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped reader: views, their lifetime, typed-access errors, and tensors past 2 GiB. */
class SafetensorsMappedFileTest {

    private static final long TWO_GIB = 1L << 31;

    @TempDir
    Path dir;

    @Test
    void viewsDieWithTheFile() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.writeTensors(file, Map.of("w", SafetensorsTensors.ofF32(new long[] {2}, 1, 2)));

        SafetensorsMappedFile mapped = SafetensorsReader.open(file);
        SafetensorsTensor view = mapped.tensor("w");
        float[] copy = view.toFloatArray();
        mapped.close();
        mapped.close(); // idempotent

        assertThat(copy).containsExactly(1, 2);
        assertThatThrownBy(() -> view.getFloat(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> mapped.tensor("w"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("safetensors file " + file + " is closed");
    }

    @Test
    void unknownTensorName() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.writeTensors(file, Map.of("w", SafetensorsTensors.ofF32(new long[] {1}, 1)));

        try (SafetensorsMappedFile mapped = SafetensorsReader.open(file)) {
            assertThatThrownBy(() -> mapped.tensor("v"))
                    .isInstanceOf(NoSuchElementException.class)
                    .hasMessage("no tensor 'v' in " + file);
        }
    }

    @Test
    void typedAccessNamesTheDtypesItReads() {
        SafetensorsTensor ids = SafetensorsTensors.ofI64(new long[] {2}, 1, 2);
        SafetensorsTensor weights = SafetensorsTensors.ofF64(new long[] {1}, 0.5);

        assertThatThrownBy(ids::toFloatArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("toFloatArray() reads dtypes [F16, BF16, F32], got I64");
        assertThatThrownBy(ids::toHostTensor)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("toFloatArray() reads dtypes [F16, BF16, F32], got I64");
        assertThatThrownBy(ids::toIntArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("toIntArray() reads dtypes [BOOL, U8, I32], got I64");
        assertThatThrownBy(() -> weights.getFloat(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("getFloat(long) reads dtypes [F16, BF16, F32], got F64");
        assertThatThrownBy(() -> weights.getLong(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("getLong(long) reads dtypes [BOOL, U8, I32, I64], got F64");
        assertThatThrownBy(weights::toBooleanArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("toBooleanArray() reads dtypes [BOOL], got F64");
        assertThatThrownBy(() -> ids.getLong(2))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("Index 2 out of bounds for length 2");
        assertThatThrownBy(() -> ids.flatSlice(1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("Range [1, 1 + 2) out of bounds for length 2");
    }

    @Test
    void factoriesRejectBadInputByName() {
        assertThatThrownBy(() -> SafetensorsTensors.ofF32(new long[] {2, 3}, 1, 2, 3, 4, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [2, 3] holds 6 elements, got 5 values");
        assertThatThrownBy(() -> SafetensorsTensors.ofI32(new long[] {-1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("negative dimension in shape [-1]");
        assertThatThrownBy(() -> SafetensorsTensors.ofU8(new long[] {1L << 32, 1L << 32}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [4294967296, 4294967296] overflows a 64-bit element count");
        assertThatThrownBy(() -> SafetensorsTensors.ofBytes(SafetensorsDtype.I8, new long[] {1}, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported dtype I8; supported: [BOOL, U8, F16, BF16, I32, F32, I64, F64]");
        assertThatThrownBy(() -> SafetensorsTensors.ofBytes(SafetensorsDtype.F32, new long[] {2}, new byte[7]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [2] of F32 needs 8 bytes, got 7");
        assertThatThrownBy(() -> SafetensorsTensors.ofBytes(SafetensorsDtype.BOOL, new long[] {2}, new byte[] {1, -1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BOOL element 1 is 0xFF; allowed: 0x00 (false), 0x01 (true)");
        HostTensor host = new HostTensor(new long[] {1}, new float[] {1});
        assertThatThrownBy(() -> SafetensorsTensors.of(host, SafetensorsDtype.I32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a HostTensor converts to [F16, BF16, F32, F64], got I32");
    }

    @Test
    void rawBytesRoundTrip() {
        byte[] bits = {0x00, 0x3C, 0x00, (byte) 0xC0}; // F16 1.0, -2.0 little-endian

        SafetensorsTensor tensor = SafetensorsTensors.ofBytes(SafetensorsDtype.F16, new long[] {2}, bits);

        assertThat(tensor.toFloatArray()).containsExactly(1.0f, -2.0f);
        assertThat(tensor.toByteArray()).containsExactly(bits);
    }

    /**
     * A sparse file (no disk blocks behind the zeros) with a U8 tensor of 2^31 + 16 bytes and an F32
     * tensor behind it, at offsets no {@code int} can hold.
     */
    @Test
    void tensorsAndOffsetsBeyondTwoGibibytes() throws IOException {
        long bigBytes = TWO_GIB + 16;
        String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + bigBytes + "],\"data_offsets\":[0," + bigBytes + "]},"
                + "\"after\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 8) + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + header.length;
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + bigBytes + 8);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length), 0);
            channel.write(ByteBuffer.wrap(header), 8);
            channel.write(ByteBuffer.wrap(new byte[] {7}), dataStart + TWO_GIB + 3);
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1.5f).putFloat(4, -2f),
                    dataStart + bigBytes);
        }

        try (SafetensorsMappedFile mapped = SafetensorsReader.open(file)) {
            SafetensorsTensor big = mapped.tensor("big");
            assertThat(big.elementCount()).isEqualTo(bigBytes);
            assertThat(big.getLong(TWO_GIB + 3)).isEqualTo(7);
            assertThat(big.getLong(TWO_GIB + 4)).isZero();
            assertThat(big.flatSlice(TWO_GIB, 8).toByteArray()).containsExactly(0, 0, 0, 7, 0, 0, 0, 0);
            assertThatThrownBy(big::toByteArray)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("tensor U8[2147483664] has 2147483664 bytes, more than a Java array holds"
                            + " (2147483639); read it in parts with flatSlice");
            assertThat(mapped.tensor("after").toFloatArray()).containsExactly(1.5f, -2f);
        }
        HostTensor after = SafetensorsReader.read(file, e -> e.name().equals("after")).tensors().get("after");
        assertThat(after.values()).containsExactly(1.5f, -2f);
    }
}
