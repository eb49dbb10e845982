package dev.peft4j.core.io.safetensors;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A safetensors file mapped into memory ({@link FileChannel#map(FileChannel.MapMode, long, long,
 * Arena)}, a {@link MemorySegment} addressed with {@code long} offsets, so files and tensors over
 * 2 GiB work). Opening validates the whole header (see {@link SafetensorsFormatException}); no
 * tensor data is read until it is used, and the operating system pages it in on demand, so opening
 * a multi-gigabyte checkpoint costs only its header.
 *
 * <p>{@link #tensor(String)} returns views on the mapping: they are valid until {@link #close()},
 * after which any access to their data throws {@link IllegalStateException}. Copy what must outlive
 * the file ({@link SafetensorsTensor#toFloatArray()} and friends). The file must not be truncated
 * while mapped (the JVM turns the resulting bus error into an {@link InternalError});
 * {@link SafetensorsWriter} never truncates, it replaces files by rename. Instances may be shared
 * between threads.
 */
public final class SafetensorsMappedFile implements AutoCloseable {

    private final Path file;
    private final Arena arena;
    private final SafetensorsHeader header;
    private final MemorySegment data;
    private final Map<String, SafetensorsEntry> byName;

    private SafetensorsMappedFile(Path file, Arena arena, SafetensorsHeader header, MemorySegment data) {
        this.file = file;
        this.arena = arena;
        this.header = header;
        this.data = data;
        this.byName = new LinkedHashMap<>();
        for (SafetensorsEntry entry : header.entries()) {
            byName.put(entry.name(), entry);
        }
    }

    /**
     * Maps and validates a file; see {@link SafetensorsReader#open(Path)}.
     *
     * @param file a safetensors file
     * @return the open file; close it
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format
     * @throws IOException if reading or mapping fails
     */
    static SafetensorsMappedFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("safetensors file not found: " + file);
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw new SafetensorsFormatException("not a safetensors file: " + file + ": " + size
                        + " bytes, shorter than the 8-byte header length prefix");
            }
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = headerLength(file, whole);
            byte[] json = whole.asSlice(Long.BYTES, headerLength).toArray(LittleEndian.BYTE);
            long dataStart = Long.BYTES + headerLength;
            SafetensorsHeader header =
                    SafetensorsHeaderParser.parse(file.toString(), json, size - dataStart, dataStart);
            return new SafetensorsMappedFile(file, arena, header, whole.asSlice(dataStart));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static long headerLength(Path file, MemorySegment whole) throws SafetensorsFormatException {
        long headerLength = whole.get(LittleEndian.LONG, 0);
        if (headerLength < 0 || headerLength > SafetensorsReader.MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException("safetensors header of " + file + " claims "
                    + Long.toUnsignedString(headerLength) + " bytes, over the 100 MB limit ("
                    + SafetensorsReader.MAX_HEADER_BYTES + " bytes)");
        }
        long available = whole.byteSize() - Long.BYTES;
        if (headerLength > available) {
            throw new SafetensorsFormatException("safetensors header of " + file + " claims " + headerLength
                    + " bytes, but only " + available + " bytes follow the 8-byte length prefix");
        }
        return headerLength;
    }

    /** @return the path this file was opened from */
    public Path file() {
        return file;
    }

    /** @return the validated header: entries in offset order, metadata, data start */
    public SafetensorsHeader header() {
        return header;
    }

    /** @return the tensors' header lines in offset (file) order */
    public List<SafetensorsEntry> entries() {
        return header.entries();
    }

    /** @return the {@code __metadata__} string map (empty if absent) */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * A view on one tensor's bytes in the mapping (no copy).
     *
     * @param name the tensor name
     * @return the tensor; valid until this file is closed
     * @throws NoSuchElementException {@code no tensor 'x' in <file>}
     * @throws SafetensorsFormatException for a dtype the header allows but peft4j does not read
     *     ({@code tensor 'x' in <file>: unsupported dtype I8; supported: [BOOL, U8, F16, BF16, I32,
     *     F32, I64, F64]}) or a BOOL byte other than 0 and 1
     * @throws IllegalStateException if this file is closed
     */
    public SafetensorsTensor tensor(String name) throws SafetensorsFormatException {
        SafetensorsEntry entry = byName.get(name);
        if (entry == null) {
            throw new NoSuchElementException("no tensor '" + name + "' in " + file);
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("safetensors file " + file + " is closed");
        }
        SafetensorsDtype dtype = entry.dtype();
        if (!dtype.isSupported()) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file + ": " + dtype.unsupportedMessage());
        }
        MemorySegment bytes = data.asSlice(entry.begin(), entry.byteLength());
        if (dtype == SafetensorsDtype.BOOL) {
            checkBooleans(name, bytes);
        }
        return new SafetensorsTensor(dtype, entry.shape(), bytes);
    }

    private void checkBooleans(String name, MemorySegment bytes) throws SafetensorsFormatException {
        for (long i = 0; i < bytes.byteSize(); i++) {
            byte value = bytes.get(LittleEndian.BYTE, i);
            if (value != 0 && value != 1) {
                throw new SafetensorsFormatException(
                        "tensor '" + name + "' in " + file + ": " + SafetensorsTensors.boolByteMessage(i, value));
            }
        }
    }

    /** Unmaps the file; views from {@link #tensor(String)} become unusable. Idempotent. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
