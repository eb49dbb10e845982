package dev.peft4j.core.io.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files atomically: the file is written to a temporary file beside the target,
 * forced to disk and renamed over it, so a crash never leaves a half-written checkpoint (see
 * {@link AtomicFiles}).
 *
 * <p>{@link #write} takes fp32 {@link HostTensor}s and writes them as {@code F32};
 * {@link #writeTensors} takes {@link SafetensorsTensor}s of any supported dtype (BOOL, U8, F16,
 * BF16, I32, F32, I64, F64), for instance from {@link SafetensorsTensors} (which narrows fp32 to
 * F16/BF16 rounding to nearest, ties to even) or straight from a {@link SafetensorsMappedFile}.
 * Data is streamed in 1 MiB chunks, so tensors over 2 GiB write too.
 *
 * <p>The output is deterministic: the same tensors and metadata give the same bytes whatever the
 * map's iteration order. Tensors are laid out and listed by element size, widest first, then
 * <b>by name</b> (Java {@link String#compareTo} order), so every tensor starts at a multiple of its
 * element size (HF's reference writer also orders by dtype, widest first); files of one dtype are
 * simply sorted by name. The header is compact JSON with {@code __metadata__} first (keys sorted),
 * padded with spaces to a multiple of 8 bytes so the data section is 8-byte aligned, as HF's
 * reference writer does.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final int CHUNK_BYTES = 1 << 20;
    private static final Comparator<Planned> LAYOUT_ORDER = Comparator
            .comparingInt((Planned p) -> -p.dtype().byteSize())
            .thenComparing(Planned::name);

    /** Writes one tensor's data section bytes. */
    @FunctionalInterface
    private interface DataSource {
        void writeTo(FileChannel channel) throws IOException;
    }

    private record Planned(String name, SafetensorsDtype dtype, long[] shape, long byteSize, DataSource source) {}

    private SafetensorsWriter() {}

    /**
     * Writes fp32 tensors as F32, without metadata.
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
     * Writes fp32 tensors as F32, and a {@code __metadata__} string map (omitted when empty).
     *
     * @param file the target file; its directory must exist; an existing file is replaced
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @param metadata free-form strings, e.g. {@code {"format": "pt"}} (HF transformers expects it)
     * @throws IllegalArgumentException if a name is reserved, or a tensor or metadata value is null
     * @throws IOException if writing fails
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<Planned> planned = new ArrayList<>(tensors.size());
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            HostTensor tensor = checked(entry.getKey(), entry.getValue());
            planned.add(new Planned(entry.getKey(), SafetensorsDtype.F32, tensor.shape(),
                    (long) tensor.size() * Float.BYTES, channel -> writeFloats(channel, tensor.values())));
        }
        write(file, planned, metadata);
    }

    /**
     * Writes typed tensors without metadata.
     *
     * @param file the target file; its directory must exist; an existing file is replaced
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @throws IllegalArgumentException if a name is reserved or a tensor is null
     * @throws IllegalStateException if a tensor is a view on a closed {@link SafetensorsMappedFile}
     * @throws IOException if writing fails
     */
    public static void writeTensors(Path file, Map<String, SafetensorsTensor> tensors) throws IOException {
        writeTensors(file, tensors, Map.of());
    }

    /**
     * Writes typed tensors, each in its own dtype, and a {@code __metadata__} string map (omitted
     * when empty).
     *
     * @param file the target file; its directory must exist; an existing file is replaced
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @param metadata free-form strings, e.g. {@code {"format": "pt"}}
     * @throws IllegalArgumentException if a name is reserved, or a tensor or metadata value is null
     * @throws IllegalStateException if a tensor is a view on a closed {@link SafetensorsMappedFile}
     * @throws IOException if writing fails
     */
    public static void writeTensors(Path file, Map<String, SafetensorsTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<Planned> planned = new ArrayList<>(tensors.size());
        for (Map.Entry<String, SafetensorsTensor> entry : tensors.entrySet()) {
            SafetensorsTensor tensor = checked(entry.getKey(), entry.getValue());
            planned.add(new Planned(entry.getKey(), tensor.dtype(), tensor.shape(), tensor.byteSize(),
                    channel -> writeSegment(channel, tensor.data())));
        }
        write(file, planned, metadata);
    }

    private static <T> T checked(String name, T tensor) {
        if (SafetensorsHeaderParser.METADATA_KEY.equals(name)) {
            throw new IllegalArgumentException("tensor name '" + SafetensorsHeaderParser.METADATA_KEY
                    + "' is reserved for the safetensors metadata");
        }
        if (tensor == null) {
            throw new IllegalArgumentException("tensor '" + name + "' is null");
        }
        return tensor;
    }

    private static void write(Path file, List<Planned> planned, Map<String, String> metadata) throws IOException {
        TreeMap<String, String> sortedMetadata = new TreeMap<>();
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("metadata '" + entry.getKey() + "' is null");
            }
            sortedMetadata.put(entry.getKey(), entry.getValue());
        }
        List<Planned> layout = planned.stream().sorted(LAYOUT_ORDER).toList();
        byte[] header = header(layout, sortedMetadata);
        AtomicFiles.write(file, channel -> {
            ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).flip();
            writeFully(channel, prefix);
            writeFully(channel, ByteBuffer.wrap(header));
            for (Planned tensor : layout) {
                tensor.source().writeTo(channel);
            }
        });
    }

    private static byte[] header(List<Planned> layout, Map<String, String> metadata) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeaderParser.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Planned tensor : layout) {
            long end = Math.addExact(offset, tensor.byteSize());
            ObjectNode node = root.putObject(tensor.name());
            node.put("dtype", tensor.dtype().name());
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

    private static void writeFloats(FileChannel channel, float[] values) throws IOException {
        int perChunk = CHUNK_BYTES / Float.BYTES;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < values.length; from += perChunk) {
            int n = Math.min(perChunk, values.length - from);
            chunk.clear();
            chunk.asFloatBuffer().put(values, from, n);
            chunk.limit(n * Float.BYTES);
            writeFully(channel, chunk);
        }
    }

    /** Copies through a byte buffer: heap segments over {@code long[]} cannot be viewed as one. */
    private static void writeSegment(FileChannel channel, MemorySegment data) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        MemorySegment chunkBytes = MemorySegment.ofBuffer(chunk);
        for (long from = 0; from < data.byteSize(); from += CHUNK_BYTES) {
            int n = (int) Math.min(CHUNK_BYTES, data.byteSize() - from);
            MemorySegment.copy(data, from, chunkBytes, 0, n);
            chunk.clear().limit(n);
            writeFully(channel, chunk);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
