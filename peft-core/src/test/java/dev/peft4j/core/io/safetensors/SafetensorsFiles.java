package dev.peft4j.core.io.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds raw safetensors files byte by byte, to feed the reader exactly what a test needs. */
final class SafetensorsFiles {

    private SafetensorsFiles() {}

    /** Writes {@code u64 len | header | data} with the true header length. */
    static Path raw(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return raw(file, json.length, json, data);
    }

    /** Writes {@code u64 claimedLength | header | data}, the length possibly a lie. */
    static Path raw(Path file, long claimedLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(claimedLength).put(header).put(data);
        Files.write(file, buffer.array());
        return file;
    }

    /** Little-endian 16-bit patterns. */
    static byte[] shorts(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int value : values) {
            buffer.putShort((short) value);
        }
        return buffer.array();
    }

    /** Little-endian fp32 values. */
    static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }
}
