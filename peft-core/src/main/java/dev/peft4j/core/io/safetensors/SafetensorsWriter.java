package dev.peft4j.core.io.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes fp32 tensors as a safetensors file (dtype {@code F32} only), atomically: the file is
 * written to a temporary file beside the target, forced to disk and renamed over it, so a crash
 * never leaves a half-written checkpoint (see {@link AtomicFiles}).
 *
 * <p>The output is deterministic: the same tensors and metadata give the same bytes whatever the
 * map's iteration order. Tensors are laid out and listed <b>sorted by name</b> (Java
 * {@link String#compareTo} order); the header is compact JSON with {@code __metadata__} first
 * (keys sorted), padded with spaces to a multiple of 8 bytes so the data section is 8-byte
 * aligned, as HF's reference writer does.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final int CHUNK_FLOATS = 1 << 18;

    private SafetensorsWriter() {}

    /**
     * Writes tensors without metadata.
     *
     * @param file the target file; its directory must exist; an existing file is replaced
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @throws IllegalArgumentException if a name is reserved or a tensor is null
     * @throws IOException if writing fails
     */
    public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes tensors and a {@code __metadata__} string map (omitted when empty).
     *
     * @param file the target file; its directory must exist; an existing file is replaced
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @param metadata free-form strings, e.g. {@code {"format": "pt"}} (HF transformers expects it)
     * @throws IllegalArgumentException if a name is reserved, or a tensor or metadata value is null
     * @throws IOException if writing fails
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        TreeMap<String, HostTensor> sorted = new TreeMap<>();
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            if (SafetensorsHeaderParser.METADATA_KEY.equals(entry.getKey())) {
                throw new IllegalArgumentException("tensor name '" + SafetensorsHeaderParser.METADATA_KEY
                        + "' is reserved for the safetensors metadata");
            }
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("tensor '" + entry.getKey() + "' is null");
            }
            sorted.put(entry.getKey(), entry.getValue());
        }
        TreeMap<String, String> sortedMetadata = new TreeMap<>();
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("metadata '" + entry.getKey() + "' is null");
            }
            sortedMetadata.put(entry.getKey(), entry.getValue());
        }
        byte[] header = header(sorted, sortedMetadata);
        AtomicFiles.write(file, channel -> {
            ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).flip();
            writeFully(channel, prefix);
            writeFully(channel, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (HostTensor tensor : sorted.values()) {
                writeValues(channel, chunk, tensor.values());
            }
        });
    }

    private static byte[] header(Map<String, HostTensor> sorted, Map<String, String> metadata) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeaderParser.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> entry : sorted.entrySet()) {
            HostTensor tensor = entry.getValue();
            long end = offset + (long) tensor.size() * Float.BYTES;
            ObjectNode node = root.putObject(entry.getKey());
            node.put("dtype", SafetensorsDtype.F32.name());
            ArrayNode shape = node.putArray("shape");
            Arrays.stream(tensor.shape()).forEach(shape::add);
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeValues(FileChannel channel, ByteBuffer chunk, float[] values) throws IOException {
        for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, values.length - from);
            chunk.clear();
            chunk.asFloatBuffer().put(values, from, n);
            chunk.limit(n * Float.BYTES);
            writeFully(channel, chunk);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
