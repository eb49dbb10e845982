package dev.peft4j.core.io.safetensors;

import dev.peft4j.core.io.HostTensor;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads <a href="https://github.com/huggingface/safetensors">safetensors</a> files into fp32
 * {@link HostTensor}s: an unsigned 64-bit little-endian header length {@code N}, {@code N} bytes of
 * UTF-8 JSON ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {..}}}), then the packed row-major little-endian data, offsets relative to its
 * start.
 *
 * <p>{@code F32} is read as is; {@code F16} and {@code BF16} are widened exactly to fp32 in Java
 * (never handed to DJL, which crashes the JVM on BF16). Other dtypes validate in the header but
 * cannot be decoded: skip them with the {@code include} filter. The whole header is validated
 * before any data is read (see {@link SafetensorsFormatException}); data is read with positional
 * reads in 1 MiB chunks, so memory use is the decoded tensors plus one chunk.
 */
public final class SafetensorsReader {

    /** The largest header accepted, 100 MB (as HF's reference implementation). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final int CHUNK_BYTES = 1 << 20;

    private SafetensorsReader() {}

    /**
     * Reads and validates only the header.
     *
     * @param file a safetensors file
     * @return the header, entries in offset order
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format
     * @throws IOException if reading fails
     */
    public static SafetensorsHeader readHeader(Path file) throws IOException {
        try (FileChannel channel = open(file)) {
            return readHeader(file, channel);
        }
    }

    /**
     * Reads every tensor, all of which must be F32, F16 or BF16.
     *
     * @param file a safetensors file
     * @return the tensors as fp32, in file order, and the metadata
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format or a tensor has a dtype
     *     that cannot be read as fp32
     * @throws IOException if reading fails
     */
    public static SafetensorsFile read(Path file) throws IOException {
        return read(file, entry -> true);
    }

    /**
     * Reads the tensors the filter accepts; the header is validated in full either way.
     *
     * @param file a safetensors file
     * @param include selects the entries to decode (e.g. {@code e -> e.dtype().isReadableAsFloat()})
     * @return the selected tensors as fp32, in file order, and the metadata
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format or a selected tensor has
     *     a dtype that cannot be read as fp32
     * @throws IOException if reading fails
     */
    public static SafetensorsFile read(Path file, Predicate<SafetensorsEntry> include) throws IOException {
        try (FileChannel channel = open(file)) {
            SafetensorsHeader header = readHeader(file, channel);
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (SafetensorsEntry entry : header.entries()) {
                if (include.test(entry)) {
                    tensors.put(entry.name(), decode(file, channel, header.dataStart(), entry));
                }
            }
            return new SafetensorsFile(tensors, header.metadata());
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("safetensors file not found: " + file);
        }
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private static SafetensorsHeader readHeader(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < Long.BYTES) {
            throw new SafetensorsFormatException("not a safetensors file: " + file + ": " + size
                    + " bytes, shorter than the 8-byte header length prefix");
        }
        ByteBuffer prefix = readFully(channel, 0, Long.BYTES);
        long headerLength = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException("safetensors header of " + file + " claims "
                    + Long.toUnsignedString(headerLength) + " bytes, over the 100 MB limit (" + MAX_HEADER_BYTES
                    + " bytes)");
        }
        long available = size - Long.BYTES;
        if (headerLength > available) {
            throw new SafetensorsFormatException("safetensors header of " + file + " claims " + headerLength
                    + " bytes, but only " + available + " bytes follow the 8-byte length prefix");
        }
        ByteBuffer json = readFully(channel, Long.BYTES, (int) headerLength);
        long dataStart = Long.BYTES + headerLength;
        return SafetensorsHeaderParser.parse(file.toString(), json.array(), size - dataStart, dataStart);
    }

    private static HostTensor decode(Path file, FileChannel channel, long dataStart, SafetensorsEntry entry)
            throws IOException {
        SafetensorsDtype dtype = entry.dtype();
        if (!dtype.isReadableAsFloat()) {
            throw new SafetensorsFormatException("tensor '" + entry.name() + "' in " + file + " has dtype "
                    + dtype + ", which cannot be read as fp32; readable: [BF16, F16, F32]");
        }
        long count = HostTensor.elementCount(entry.shape());
        if (count > Integer.MAX_VALUE - 8) {
            throw new SafetensorsFormatException("tensor '" + entry.name() + "' in " + file + " has " + count
                    + " elements, more than a Java array holds");
        }
        float[] values = new float[(int) count];
        int elementBytes = dtype.byteSize();
        int elementsPerChunk = CHUNK_BYTES / elementBytes;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < values.length) {
            int n = Math.min(elementsPerChunk, values.length - done);
            chunk.clear().limit(n * elementBytes);
            fill(channel, chunk, dataStart + entry.begin() + (long) done * elementBytes);
            chunk.flip();
            HalfFloats.decode(dtype, chunk, values, done, n);
            done += n;
        }
        return new HostTensor(entry.shape(), values);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        fill(channel, buffer, position);
        return buffer;
    }

    private static void fill(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at + " (the file shrank while being read)");
            }
            at += n;
        }
    }
}
